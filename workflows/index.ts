// The workflow bundle's entry point: every workflow type the production worker registers.
export { compositionWorkflow } from './composition.js';
