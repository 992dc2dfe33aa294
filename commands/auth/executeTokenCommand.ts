// Token commands through the command loop of commands/executeCommand.ts.

import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { TokenCommand } from "../../domain/token/tokenCommands.ts";
import { tokenDecider } from "../../domain/token/tokenDecider.ts";
import type { TokenRejected } from "../../domain/token/tokenRejected.ts";
import type { TokenState } from "../../domain/token/tokenState.ts";
import { tokenStream } from "../../schemas/events/streamNames.ts";
import { parseTokenEvent, type TokenEvent } from "../../schemas/events/tokenEvents.ts";
import {
  type CommandContext,
  type CommandDeps,
  type Executed,
  executeCommand,
  type Loaded,
  loadAggregate,
} from "../executeCommand.ts";

export type TokenCommandContext = CommandContext;
export type TokenCommandDeps = CommandDeps;
export type TokenCommandResult = Executed<TokenEvent, TokenState> | TokenRejected;
export type LoadedToken = Loaded<TokenState>;

const tokenAggregate = { name: "token", streamId: tokenStream.name, parse: parseTokenEvent, ...tokenDecider };

export const loadToken = (store: EventStore, tokenId: string): Promise<LoadedToken> =>
  loadAggregate(store, tokenAggregate, tokenId);

export const executeTokenCommand = (
  deps: TokenCommandDeps,
  command: TokenCommand,
  context: TokenCommandContext,
): Promise<TokenCommandResult> =>
  executeCommand(deps, tokenAggregate, command.data.tokenId, command, context);
