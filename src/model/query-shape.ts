import type { ShapeDef } from './shape.js';

/** One operation of a query-protocol service, as scripts/gen-query-model.mjs writes it. */
export interface QueryOperationDef {
  readonly input: string | null;
  readonly output: string | null;
  /** The element the output's members are wrapped in (<CreateUserResult>). */
  readonly resultWrapper: string | null;
}

/** An error's wire code (NoSuchEntity) → its HTTP status and whether the client is at fault (<Type>Sender</Type>). */
export interface QueryErrorDef {
  readonly status: number;
  readonly sender: boolean;
}

/** A query-protocol service (IAM, STS) as its generated model file describes it. */
export interface QueryServiceModel {
  readonly apiVersion: string;
  readonly xmlNamespace: string;
  readonly shapes: Readonly<Record<string, ShapeDef>>;
  readonly operations: Readonly<Record<string, QueryOperationDef>>;
  readonly errors: Readonly<Record<string, QueryErrorDef>>;
}
