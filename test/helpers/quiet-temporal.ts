// Tests keep the Temporal SDK's own logging to warnings, so test output shows what the tests say.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
