// The benchmark worker's workflow bundle: production's workflows plus the bare baseline that bench/lifecycle
// measures the audited lifecycle against. Production workers never register the baseline.
export { compositionWorkflow } from '../../workflows/composition.js';
export { baselineWorkflow } from './baseline.js';
