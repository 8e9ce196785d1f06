import type { IamOperationInputs, IamOperationName, IamOperationOutputs } from '../../model/iam.gen.js';
import type { StsOperationInputs, StsOperationName, StsOperationOutputs } from '../../model/sts.gen.js';
import type { OpContext } from '../context.js';

export type IamHandler<Op extends IamOperationName> = (input: IamOperationInputs[Op], ctx: OpContext) => Promise<IamOperationOutputs[Op]>;
export type StsHandler<Op extends StsOperationName> = (input: StsOperationInputs[Op], ctx: OpContext) => Promise<StsOperationOutputs[Op]>;
