// The publisher pillar (the spec's Publisher service): puts a finished VOD output on a platform
// (YouTube, Twitch, Kick, Rumble, …), updates and removes it, and connects a platform account by
// OAuth where the platform needs one. Plain data and streams only, for an out-of-process host.

export type Privacy = "public" | "unlisted" | "private";

export interface PublisherCapabilities {
  /** Platforms this plugin publishes to, e.g. ["youtube"]. */
  readonly platforms: readonly string[];
  readonly vod: boolean;
  /** Gives an RTMP(S) destination for live restreaming. */
  readonly live: boolean;
  /** Needs a connected account (see `oauth`). */
  readonly needsAccount: boolean;
  readonly maxBytes: number | null;
}

/** The platform account a call acts for: tokens from the OAuth flow below, or from the request. */
export interface PlatformAccount {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** ISO 8601; null when the platform does not say. */
  readonly expiresAt: string | null;
}

export interface VideoMetadata {
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly privacy: Privacy;
  /** ISO 8601 time to make it public; null publishes at once. */
  readonly publishAt: string | null;
}

/** PublishVOD: the bytes come as a stream, read once, so a publisher needs no access to storage. */
export interface PublishVodRequest {
  readonly platform: string;
  readonly account: PlatformAccount | null;
  readonly metadata: VideoMetadata;
  readonly media: {
    /** The output's object key in storage, for the record; the bytes are `body`. */
    readonly objectKey: string;
    readonly contentType: string;
    readonly sizeBytes: number;
    readonly body: ReadableStream<Uint8Array>;
  };
}

export type PublishVodUpdate =
  | { readonly _tag: "PublishProgress"; readonly bytesSent: number; readonly sizeBytes: number }
  | PublishResult;

export type PublishResult =
  | {
      readonly _tag: "Published";
      readonly platformId: string;
      readonly publicUrl: string;
      /** A refreshed account, when the platform rotated its tokens on the way. */
      readonly account: PlatformAccount | null;
    }
  | {
      readonly _tag: "PublishFailed";
      /** `auth`: reconnect the account; `rejected`: the platform refused the video; `transient`: retry later. */
      readonly reason: "auth" | "rejected" | "quota" | "transient";
      readonly message: string;
    };

export interface PlatformVideoRequest {
  readonly platform: string;
  readonly account: PlatformAccount | null;
  readonly platformId: string;
}

export type PlatformVideoStatus =
  | { readonly _tag: "Processing"; readonly pct: number | null }
  | { readonly _tag: "Live"; readonly publicUrl: string; readonly privacy: Privacy }
  | { readonly _tag: "Scheduled"; readonly publishAt: string }
  | { readonly _tag: "VideoFailed"; readonly message: string }
  | { readonly _tag: "VideoNotFound" };

/** OAuth 2.0 authorization-code flow with PKCE, for platforms that publish on a user's behalf. */
export interface PublisherOAuth {
  authorizationUrl(request: {
    readonly redirectUri: string;
    readonly state: string;
    readonly codeChallenge: string;
  }): Promise<{ readonly url: string }>;
  exchangeCode(request: {
    readonly code: string;
    readonly redirectUri: string;
    readonly codeVerifier: string;
  }): Promise<PlatformAccount | { readonly _tag: "OAuthFailed"; readonly message: string }>;
  refresh(
    account: PlatformAccount,
  ): Promise<PlatformAccount | { readonly _tag: "OAuthFailed"; readonly message: string }>;
}

export interface Publisher {
  capabilities(): Promise<PublisherCapabilities>;
  /** Streams upload progress and ends with the result, once, last; a reader that stops cancels the upload. */
  publishVod(request: PublishVodRequest): AsyncIterable<PublishVodUpdate>;
  /** The spec's UpdateMetadata. */
  updateMetadata(
    request: PlatformVideoRequest & { readonly metadata: Partial<VideoMetadata> },
  ): Promise<PublishResult>;
  status(request: PlatformVideoRequest): Promise<PlatformVideoStatus>;
  delete(request: PlatformVideoRequest): Promise<{ readonly _tag: "Deleted" } | PublishResult>;
  /** An RTMP(S) ingest point on the platform for restreaming, for publishers with `live`. */
  liveDestination?(request: {
    readonly platform: string;
    readonly account: PlatformAccount | null;
    readonly title: string;
  }): Promise<
    { readonly _tag: "LiveDestination"; readonly url: string; readonly streamKey: string } | PublishResult
  >;
  /** Present when the platform needs a connected account. */
  readonly oauth?: PublisherOAuth;
}
