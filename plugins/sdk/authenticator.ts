// The auth pillar (the spec's Authenticator service): turns what a request presents (a bearer token,
// a user name and password, an API key) into an identity and a WebEncode role, for OIDC, LDAP and
// basic plugins alike. Plain data only, for an out-of-process host. A directory that cannot be
// reached is `AuthUnavailable`, never a wrong password.

export type AuthRole = "viewer" | "operator" | "admin";

export type Credentials =
  /** An OIDC access or ID token (a JWT), or an opaque token the provider introspects. */
  | { readonly scheme: "bearer"; readonly token: string }
  /** A directory login (LDAP bind) or HTTP Basic. */
  | { readonly scheme: "basic"; readonly username: string; readonly password: string }
  | { readonly scheme: "api-key"; readonly key: string };

export interface AuthenticateRequest {
  readonly credentials: Credentials;
  /** For the audit log and for rate limits; null when unknown. */
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

export interface Identity {
  /** Stable across logins (an OIDC `sub`, an LDAP entryUUID); becomes the events' actor. */
  readonly userId: string;
  readonly username: string;
  readonly email: string | null;
  readonly displayName: string | null;
  /** Mapped by the plugin from its groups or claims, per its config. */
  readonly role: AuthRole;
  readonly groups: readonly string[];
  /** ISO 8601 time the credentials stop being valid; null when they do not expire. */
  readonly expiresAt: string | null;
}

/** Tokens a login produced, for flows that hand the client its own (OIDC code flow, refresh). */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly idToken: string | null;
}

export type AuthenticateResult =
  | { readonly _tag: "Authenticated"; readonly identity: Identity; readonly tokens: SessionTokens | null }
  | {
      readonly _tag: "AuthRejected";
      readonly reason: "invalid_credentials" | "expired" | "unknown_user" | "disabled_user" | "no_role";
      readonly message: string;
    }
  | { readonly _tag: "AuthUnavailable"; readonly message: string };

export interface AuthorizeRequest {
  readonly userId: string;
  readonly action: "create" | "read" | "update" | "delete" | "execute";
  readonly resourceType: "job" | "stream" | "worker" | "plugin" | "settings" | "token" | "profile";
  readonly resourceId: string | null;
}

export interface UserProfile {
  readonly identity: Identity;
  readonly avatarUrl: string | null;
  readonly lastLoginAt: string | null;
}

/** Browser login through the provider: OIDC authorization code with PKCE. */
export interface LoginFlow {
  loginUrl(request: {
    readonly redirectUri: string;
    readonly state: string;
    readonly nonce: string;
    readonly codeChallenge: string;
  }): Promise<{ readonly url: string }>;
  completeLogin(request: {
    readonly code: string;
    readonly redirectUri: string;
    readonly nonce: string;
    readonly codeVerifier: string;
  }): Promise<AuthenticateResult>;
  refresh(refreshToken: string): Promise<AuthenticateResult>;
  /** The provider's end-session URL, when it has one. */
  logoutUrl(request: {
    readonly idToken: string;
    readonly redirectUri: string;
  }): Promise<{ readonly url: string } | null>;
}

export interface Authenticator {
  authenticate(request: AuthenticateRequest): Promise<AuthenticateResult>;
  /** Finer than roles, when the provider decides per resource; without it, roles alone decide. */
  authorize?(
    request: AuthorizeRequest,
  ): Promise<{ readonly allowed: true } | { readonly allowed: false; readonly reason: string }>;
  getUserProfile?(userId: string): Promise<UserProfile | { readonly _tag: "UserNotFound" }>;
  listUsers?(request: {
    readonly page: number;
    readonly pageSize: number;
    readonly role: AuthRole | null;
  }): Promise<{ readonly users: readonly UserProfile[]; readonly total: number }>;
  readonly login?: LoginFlow;
}
