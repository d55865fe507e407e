/**
 * The certificates one case's servers ask for. A named profile comes from the
 * store (cached on disk); a revocation profile's leaf is issued for the case
 * itself, pointing at a responder started for it (the port is known only once
 * it listens), and that responder is stopped with the case. Servers asking
 * twice for one profile (an FTPS control and data connection) get one leaf.
 */
import {
  isCertProfileName,
  resolveProfile,
  type CertProfileName,
  type CertStore,
  type MaterializedCert,
  type RevocableCert,
} from '../../certs/index.js';
import { crlToPem } from '../../certs/revocation.js';
import type { EventLog } from '../../servers/shared/events.js';
import { startRevocationResponder, type RevocationResponder } from '../../servers/shared/revocation-responder.js';

export class CaseCertificates {
  private responder: Promise<RevocationResponder> | undefined;
  private readonly issued = new Map<CertProfileName, Promise<RevocableCert>>();

  constructor(
    private readonly store: CertStore,
    private readonly log: EventLog,
    private readonly bindHost: string,
  ) {}

  get(profile: CertProfileName): Promise<MaterializedCert> {
    if (!isCertProfileName(profile) || !resolveProfile(profile).revocation) return this.store.get(profile);
    let pending = this.issued.get(profile);
    if (!pending) {
      pending = this.issue(profile);
      this.issued.set(profile, pending);
    }
    return pending;
  }

  private async issue(profile: CertProfileName): Promise<RevocableCert> {
    this.responder ??= startRevocationResponder(this.log, this.bindHost);
    const responder = await this.responder;
    const cert = await this.store.revocable(profile, responder.urls);
    responder.serve(cert);
    return cert;
  }

  /** The CRL the case's revocation leaf is checked against, as PEM (CONFORM_CRL_FILE); undefined without one. */
  async crlPem(): Promise<string | undefined> {
    const first = this.issued.values().next().value;
    return first ? (await first).crls.map(crlToPem).join('') : undefined;
  }

  async stop(): Promise<void> {
    const responder = this.responder;
    this.responder = undefined;
    if (responder) await (await responder).stop().catch(() => undefined);
  }
}
