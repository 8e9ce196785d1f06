/** The runtime description of one model shape, as scripts/gen-model.mjs writes it into shapes.gen.ts. */
export interface ShapeDef {
  readonly type: 'structure' | 'string' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' | 'list' | 'map';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  readonly required?: readonly string[];
  /** structure: member name → shape name */
  readonly members?: Readonly<Record<string, string>>;
  /** list: item shape name */
  readonly member?: string;
  /** map: key and value shape names */
  readonly key?: string;
  readonly value?: string;
  readonly exception?: boolean;
  /** a server fault (HTTP 500) rather than a client one */
  readonly fault?: boolean;
}

export interface OperationDef {
  readonly input: string | null;
  readonly output: string | null;
  readonly errors: readonly string[];
}
