/**
 * The process-wide fault hook core calls at its named steps (core/faults.ts). In AWS nothing
 * installs one, so it is a no-op; the local cloud installs its fault switchboard
 * (local/faults.ts) to kill the runtime at a step on demand.
 */
import { noFault, type Fault } from '../core/faults';

let installed: Fault = noFault;

export function installFaultHook(hook: Fault): void {
  installed = hook;
}

export const fault: Fault = (step) => installed(step);
