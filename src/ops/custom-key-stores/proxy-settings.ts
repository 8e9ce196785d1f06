import { KmsError } from '../../model/errors.js';
import type { XksProxyAuthenticationCredentialType, XksProxyConnectivityType } from '../../model/types.gen.js';
import type { CustomKeyStoreRecord, StoreReads } from '../../store/types.js';

/**
 * An external key store's proxy settings as Create/UpdateCustomKeyStore take them, and the rules that tie them
 * together. VPC_ENDPOINT_SERVICE connectivity is accepted with its service name and owner, which Trent keeps
 * and shows; Trent reaches the proxy at XksProxyUriEndpoint in both cases (there is no VPC between them).
 */
export interface ProxySettings {
  readonly uriEndpoint: string;
  readonly uriPath: string;
  readonly connectivity: XksProxyConnectivityType;
  readonly vpcEndpointServiceName?: string | undefined;
  readonly vpcEndpointServiceOwner?: string | undefined;
  readonly credential: { readonly accessKeyId: string; readonly secret: string | undefined };
}

export interface ProxyParams {
  readonly XksProxyUriEndpoint?: string | undefined;
  readonly XksProxyUriPath?: string | undefined;
  readonly XksProxyVpcEndpointServiceName?: string | undefined;
  readonly XksProxyVpcEndpointServiceOwner?: string | undefined;
  readonly XksProxyAuthenticationCredential?: XksProxyAuthenticationCredentialType | undefined;
  readonly XksProxyConnectivity?: XksProxyConnectivityType | undefined;
}

const PROXY_PARAMS = ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyVpcEndpointServiceName', 'XksProxyVpcEndpointServiceOwner',
  'XksProxyAuthenticationCredential', 'XksProxyConnectivity'] as const;

/** The XksProxy* parameters a request gives, by name. */
export function givenProxyParams(input: ProxyParams): string[] {
  return PROXY_PARAMS.filter((p) => input[p] !== undefined);
}

function required(name: string, type: string): KmsError {
  return new KmsError('ValidationException', `${name} is required for a custom key store with a CustomKeyStoreType of ${type}.`);
}

/** The settings a CreateCustomKeyStore of type EXTERNAL_KEY_STORE gives, each required one present. */
export function proxySettingsOf(input: ProxyParams): ProxySettings {
  for (const p of ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity'] as const) {
    if (input[p] === undefined) throw required(p, 'EXTERNAL_KEY_STORE');
  }
  return checkConnectivity({
    uriEndpoint: input.XksProxyUriEndpoint!,
    uriPath: input.XksProxyUriPath!,
    connectivity: input.XksProxyConnectivity!,
    vpcEndpointServiceName: input.XksProxyVpcEndpointServiceName,
    vpcEndpointServiceOwner: input.XksProxyVpcEndpointServiceOwner,
    credential: { accessKeyId: input.XksProxyAuthenticationCredential!.AccessKeyId, secret: input.XksProxyAuthenticationCredential!.RawSecretAccessKey },
  });
}

/** The settings after an UpdateCustomKeyStore: what it gives over what the store has (the secret only when given). */
export function updatedProxySettings(current: NonNullable<CustomKeyStoreRecord['xksProxy']>, input: ProxyParams): ProxySettings {
  const connectivity = input.XksProxyConnectivity ?? current.connectivity;
  const leavingVpc = connectivity === 'PUBLIC_ENDPOINT' && input.XksProxyConnectivity !== undefined;
  return checkConnectivity({
    uriEndpoint: input.XksProxyUriEndpoint ?? current.uriEndpoint,
    uriPath: input.XksProxyUriPath ?? current.uriPath,
    connectivity,
    vpcEndpointServiceName: input.XksProxyVpcEndpointServiceName ?? (leavingVpc ? undefined : current.vpcEndpointServiceName),
    vpcEndpointServiceOwner: input.XksProxyVpcEndpointServiceOwner ?? (leavingVpc ? undefined : current.vpcEndpointServiceOwner),
    credential: input.XksProxyAuthenticationCredential
      ? { accessKeyId: input.XksProxyAuthenticationCredential.AccessKeyId, secret: input.XksProxyAuthenticationCredential.RawSecretAccessKey }
      : { accessKeyId: current.accessKeyId, secret: undefined },
  });
}

function checkConnectivity(s: ProxySettings): ProxySettings {
  if (s.connectivity === 'VPC_ENDPOINT_SERVICE' && s.vpcEndpointServiceName === undefined) {
    throw new KmsError('ValidationException',
      'XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.');
  }
  if (s.connectivity === 'PUBLIC_ENDPOINT' && (s.vpcEndpointServiceName !== undefined || s.vpcEndpointServiceOwner !== undefined)) {
    throw new KmsError('ValidationException',
      'XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.');
  }
  return s;
}

/**
 * The proxy address must be the account's only use of it in the Region: a public endpoint with its path, and
 * for VPC endpoint service connectivity the endpoint (its private DNS name) and the service itself.
 */
export async function checkProxyUnique(reader: StoreReads, accountId: string, region: string, s: ProxySettings,
  self?: string): Promise<void> {
  const stores = await reader.listCustomKeyStores(accountId, region, { limit: Number.MAX_SAFE_INTEGER });
  for (const other of stores) {
    const p = other.xksProxy;
    if (!p || other.customKeyStoreId === self) continue;
    if (s.connectivity === 'VPC_ENDPOINT_SERVICE') {
      if (p.vpcEndpointServiceName !== undefined && p.vpcEndpointServiceName === s.vpcEndpointServiceName) {
        throw new KmsError('XksProxyVpcEndpointServiceInUseException',
          'The specified Amazon VPC endpoint service is already associated with another external key store in this AWS Region. Each external key store in a Region must use a different Amazon VPC endpoint service.');
      }
      if (p.uriEndpoint === s.uriEndpoint) {
        throw new KmsError('XksProxyUriEndpointInUseException',
          'The specified XksProxyUriEndpoint is already associated with another external key store in this AWS Region. Each external key store in a Region must use a unique external key store proxy API address.');
      }
    } else if (p.uriEndpoint === s.uriEndpoint && p.uriPath === s.uriPath) {
      throw new KmsError('XksProxyUriInUseException',
        'The concatenation of the XksProxyUriEndpoint and XksProxyUriPath is already associated with another external key store in this AWS account and Region. Each external key store in an account and Region must use a unique external key store proxy API address.');
    }
  }
}
