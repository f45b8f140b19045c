/**
 * cdk-nag AwsSolutions on the stack with an operator's job (`uplock.job` in cdk.json): the job's
 * container image as a Lambda function, and (jobRuntime "fargate") as a Fargate task with its
 * cluster, VPC and task role. Every finding is fixed or acknowledged with a reason, as for the
 * default stack (stack.test.ts).
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parseDeployConfig, type DeployConfig } from '../../lib/config';
import { cdkJson, synthesize } from './support';

const EXAMPLE = 'examples/jobs/word-count';

function jobConfig(extra: Record<string, unknown>): DeployConfig {
  return parseDeployConfig({ ...(cdkJson.context.uplock as Record<string, unknown>), acceptedExtensions: ['.txt'], job: EXAMPLE, ...extra });
}

describe.each([
  ['a Lambda container function', {}],
  ['a Fargate task', { jobRuntime: 'fargate' }],
] as const)('cdk-nag AwsSolutions with the job as %s', (_runtime, extra) => {
  it('has no unacknowledged error or warning, and every acknowledgement gives its reason', () => {
    const { app, stack } = synthesize({ config: jobConfig(extra), bundle: false });

    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((x) => x.constructPath).join(', ')}`);

    expect(findings).toEqual([]);
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) expect(String(reason).length, `${construct.node.path} ${id}`).toBeGreaterThan(40);
      }
    }
  });
});
