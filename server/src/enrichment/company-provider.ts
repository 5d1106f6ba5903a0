import type { InferredCompany } from './enrichment.ts'
import type { JsonObject } from '../traits/json.ts'

/**
 * A paid de-anonymisation or firmographic service. Both calls may be slow and may fail; the
 * container only ever calls them through a `ProviderGate`, never on a request's path.
 * `undefined` means "the service knows no company for this" (cached like an answer);
 * a throw means the service failed (counted by the circuit breaker).
 */
export interface CompanyProvider {
  /** Names the provider in logs and metrics. */
  readonly name: string
  /** The company behind a public address. */
  companyByIp(ip: string, signal: AbortSignal): Promise<InferredCompany | undefined>
  /** Company traits (`name`, `industry`, `employeeCount`, …) for a company domain. */
  companyByDomain(domain: string, signal: AbortSignal): Promise<JsonObject | undefined>
}
