// First start: make sure someone can administer the platform. Without a preset, an admin token is minted
// when no working one exists, and returned to be printed once. With WEBENCODE_ADMIN_TOKEN, exactly that
// secret is registered (once; later starts find it). It must be a minted token (`we_<32 hex>_<32
// base64url>`) or any 24 to 512 visible ASCII characters without spaces; a secret of the second kind gets
// an id derived from its hash. Neither the preset nor its hash is ever logged or returned. A preset that
// was revoked stays revoked: it is refused, not revived, and the caller should stop.
import { tokenIdOf } from "../../domain/token/tokenIdOf.ts";
import type { Actor } from "../../infra/http/httpEnv.ts";
import type { TokenService } from "./tokenService.ts";

export type AdminTokenOutcome =
  /** Print `token` once: it is stored nowhere. */
  | { _tag: "AdminTokenCreated"; tokenId: string; token: string }
  | { _tag: "AdminTokenPresent" }
  | { _tag: "PresetRegistered"; tokenId: string }
  | { _tag: "PresetAlreadyRegistered"; tokenId: string }
  | { _tag: "PresetRefused"; reason: string };

export interface EnsureAdminTokenOptions {
  service: TokenService;
  /** WEBENCODE_ADMIN_TOKEN, when set. */
  presetToken?: string;
}

const SYSTEM: Actor = { userId: "system", role: "system" };
const ADMIN_USER = "admin";

const refused = (reason: string): AdminTokenOutcome => ({ _tag: "PresetRefused", reason });

export function ensureAdminToken({
  service,
  presetToken,
}: EnsureAdminTokenOptions): Promise<AdminTokenOutcome> {
  // one process at a time, so two replicas starting together do not both mint a token
  return service.exclusive("admin-bootstrap", async (): Promise<AdminTokenOutcome> => {
    const tokens = await service.tokensFromLog();
    if (presetToken === undefined) {
      if (tokens.some((token) => token.active && token.role === "admin"))
        return { _tag: "AdminTokenPresent" };
      const issued = await service.issue(
        { name: "admin (first start)", role: "admin", userId: ADMIN_USER },
        SYSTEM,
      );
      if (issued._tag !== "Issued")
        throw new Error(`could not issue the first admin token: ${issued.message}`);
      return { _tag: "AdminTokenCreated", tokenId: issued.tokenId, token: issued.token };
    }

    const tokenId = tokenIdOf(presetToken);
    if (tokenId === null) {
      return refused(
        "WEBENCODE_ADMIN_TOKEN must be a WebEncode token (we_…) or 24 to 512 visible ASCII characters without spaces",
      );
    }
    const existing = tokens.find((token) => token.tokenId === tokenId);
    if (existing) {
      if (!(await service.checkSecret(existing, presetToken))) {
        return refused("WEBENCODE_ADMIN_TOKEN names the id of another token; choose another secret");
      }
      if (existing.status === "revoked") {
        return refused("WEBENCODE_ADMIN_TOKEN was revoked; set a new secret or unset it");
      }
      if (existing.role !== "admin")
        return refused(`WEBENCODE_ADMIN_TOKEN is registered as ${existing.role}`);
      if (!existing.active) return refused("WEBENCODE_ADMIN_TOKEN has expired; set a new secret");
      return { _tag: "PresetAlreadyRegistered", tokenId };
    }
    const issued = await service.issue(
      { name: "admin (WEBENCODE_ADMIN_TOKEN)", role: "admin", userId: ADMIN_USER, secret: presetToken },
      SYSTEM,
    );
    if (issued._tag !== "Issued")
      return refused(`WEBENCODE_ADMIN_TOKEN was not registered: ${issued.message}`);
    return { _tag: "PresetRegistered", tokenId };
  });
}
