import {
  ApplicationLogLevel,
  Architecture,
  type FunctionProps,
  type Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { LAMBDA_HANDLER } from '../build.js';

/** What every function of the stack shares: the runtime the bundles are built for, and JSON logs. */
export const FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  handler: LAMBDA_HANDLER,
  loggingFormat: LoggingFormat.JSON,
  applicationLogLevelV2: ApplicationLogLevel.INFO,
  systemLogLevelV2: SystemLogLevel.WARN,
} as const satisfies Partial<FunctionProps>;

/** cdk-nag's newest-runtime rule, answered once for every function. */
export function suppressPinnedRuntime(fn: LambdaFunction): void {
  NagSuppressions.addResourceSuppressions(fn, [
    {
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22.x on purpose: the bundles are built for target node22 and tested against it; moving to a newer runtime is a deliberate, tested change.',
    },
  ]);
}
