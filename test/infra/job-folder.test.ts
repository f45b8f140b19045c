/**
 * `uplock.job` in cdk.json: the job folder becomes an arm64 container image with uplock's runner
 * beside its files, run as a Lambda function or (jobRuntime "fargate") a Fargate task, from the
 * same upload rule. Synth needs no Docker; a timeout past Lambda's limit is refused at synth.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseDeployConfig, type DeployConfig } from '../../lib/config';
import { RUNNER_FILE, stageJob } from '../../lib/job-image';
import { cdkJson, synthesize } from './support';

const EXAMPLE = 'examples/jobs/word-count';

function jobConfig(extra: Record<string, unknown>): DeployConfig {
  return parseDeployConfig({ ...(cdkJson.context.uplock as Record<string, unknown>), acceptedExtensions: ['.txt'], job: EXAMPLE, ...extra });
}

describe('a job folder on AWS', () => {
  it('stages the folder with the bundled runner and its Dockerfile', () => {
    const staged = stageJob(EXAMPLE, 'lambda');

    expect(existsSync(path.join(staged.context, 'main.py'))).toBe(true);
    expect(readFileSync(path.join(staged.context, RUNNER_FILE), 'utf8').length).toBeGreaterThan(1000);
    expect(readFileSync(path.join(staged.context, 'Dockerfile'), 'utf8')).toContain('CMD ["uplock-runner.handler"]');
  });

  it('runs the job as an arm64 Lambda container function started by the upload rule', () => {
    const { template } = synthesize({ config: jobConfig({}), bundle: false });

    const functions = template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } });
    expect(Object.keys(functions)).toHaveLength(1);
    const [id, fn] = Object.entries(functions)[0] as [string, { Properties: Record<string, unknown> }];
    expect(fn.Properties).toMatchObject({ Architectures: ['arm64'], Timeout: 180, Description: 'uplock job: Word count' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['Object Created'] }),
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })]),
    });
  });

  it('runs it as a Fargate task with the runner as entry point when jobRuntime is fargate', () => {
    const { template } = synthesize({ config: jobConfig({ jobRuntime: 'fargate' }), bundle: false });

    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ EntryPoint: ['node', `/var/task/${RUNNER_FILE}`] })]),
    });
    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } }))).toHaveLength(0);
  });

  it('refuses at synth a timeout longer than Lambda allows, pointing at jobRuntime "fargate"', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'uplock-long-job-'));
    writeFileSync(path.join(dir, 'uplock-job.json'), JSON.stringify({ name: 'Long', command: ['true'], acceptedExtensions: ['.txt'], timeoutSeconds: 3600 }));

    expect(() => synthesize({ config: jobConfig({ job: dir }), bundle: false })).toThrow(/jobRuntime": "fargate"/);
    expect(() => stageJob(dir, 'fargate')).not.toThrow();
  });

  it('refuses config that widens what the job accepts', () => {
    expect(() => synthesize({ config: jobConfig({ acceptedExtensions: ['.txt', '.csv'] }), bundle: false })).toThrow(/never widen/);
  });
});
