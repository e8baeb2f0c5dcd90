// The workflow bundle's entry point: every workflow type the worker registers.
export { compositionWorkflow } from './composition.js';
export { baselineWorkflow } from './baseline.js';
