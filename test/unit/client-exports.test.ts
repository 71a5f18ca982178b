import type {
  ConnectOptions,
  ErrorCode,
  EventMap,
  FileSink,
  FileSource,
  IncomingTransfer,
  JoinRequest,
  MessageData,
  OutgoingTransfer,
  ParsedCandidate,
  PayloadData,
  PeerContext,
  PeerId,
  PeerInfo,
  PeerLeftMessage,
  RemotePeer,
  RemotePeerEvents,
  RequestId,
  Room,
  RoomEvents,
  RoomName,
  SendFileOptions,
  Seq,
  SignalData,
  SignalingClient,
  SignalingClientOptions,
  SignalingEvents,
  SignalingState,
  TransferEvents,
  TransferInfo,
  TransferProgress,
  WebSocketConstructor,
  WebSocketLike,
  WelcomeMessage,
} from '@icebreaker/client';
import * as client from '@icebreaker/client';
import { describe, expect, expectTypeOf, it } from 'vitest';

/**
 * Every type that appears in a public event or a public method of the client is exported by name
 * from `@icebreaker/client`, so an application can write it down. Each check below imports one by
 * name and ties it to the place it appears: `npm run typecheck` fails if one goes missing or drifts
 * (the checks are type-level; at run time they are no-ops, which the value test makes up for).
 */
describe('the client’s public types', () => {
  it('name the arguments of every event', () => {
    expectTypeOf<RoomEvents['peer']>().toEqualTypeOf<[peer: RemotePeer]>();
    expectTypeOf<RoomEvents['message']>().toEqualTypeOf<[peer: RemotePeer, data: MessageData]>();
    expectTypeOf<RoomEvents['transfer']>().toEqualTypeOf<[peer: RemotePeer, transfer: IncomingTransfer]>();
    expectTypeOf<RoomEvents['signaling']>().toEqualTypeOf<[state: SignalingState]>();
    expectTypeOf<RoomEvents['error']>().toEqualTypeOf<[error: client.IcebreakerError, peer: RemotePeer | undefined]>();
    expectTypeOf<RemotePeerEvents['message']>().toEqualTypeOf<[data: MessageData]>();
    expectTypeOf<RemotePeerEvents['signal']>().toEqualTypeOf<[direction: 'in' | 'out', data: PayloadData]>();
    expectTypeOf<RemotePeerEvents['transfer']>().toEqualTypeOf<[transfer: IncomingTransfer]>();
    expectTypeOf<SignalingEvents['peer-joined']>().toEqualTypeOf<[peer: PeerInfo]>();
    expectTypeOf<SignalingEvents['peer-left']>().toEqualTypeOf<[peerId: PeerId, reason: PeerLeftMessage['reason']]>();
    expectTypeOf<SignalingEvents['signal']>().toEqualTypeOf<[from: PeerId, data: SignalData, seq: Seq | undefined]>();
    expectTypeOf<SignalingEvents['error']>().toEqualTypeOf<[error: client.IcebreakerError, re: RequestId | undefined]>();
    expectTypeOf<TransferEvents['progress']>().toEqualTypeOf<[progress: TransferProgress]>();
    expectTypeOf<RoomEvents>().toExtend<EventMap<RoomEvents>>();
  });

  it('name the parameters and results of every public method', () => {
    expectTypeOf(client.connect).parameters.toEqualTypeOf<[url: string, options: ConnectOptions]>();
    expectTypeOf(client.connect).returns.resolves.toEqualTypeOf<Room>();
    expectTypeOf(client.Room).constructorParameters.toEqualTypeOf<
      [url: string, options: ConnectOptions, signaling: SignalingClient, welcome: WelcomeMessage]
    >();
    expectTypeOf(client.RemotePeer).constructorParameters.toEqualTypeOf<[id: PeerId, context: PeerContext]>();
    expectTypeOf<RemotePeer['sendFile']>().parameters.toEqualTypeOf<[file: FileSource, options?: SendFileOptions | undefined]>();
    expectTypeOf<RemotePeer['sendFile']>().returns.toEqualTypeOf<OutgoingTransfer>();
    expectTypeOf<RemotePeer['handleSignal']>().parameters.toEqualTypeOf<[data: PayloadData]>();
    expectTypeOf<IncomingTransfer['accept']>().parameters.toEqualTypeOf<[sink: FileSink]>();
    expectTypeOf<IncomingTransfer['info']>().toEqualTypeOf<TransferInfo>();
    expectTypeOf(client.SignalingClient.open).parameters.toEqualTypeOf<[url: string, options?: SignalingClientOptions | undefined]>();
    expectTypeOf<SignalingClient['join']>().parameters.toEqualTypeOf<[request: JoinRequest]>();
    expectTypeOf<SignalingClient['join']>().returns.resolves.toEqualTypeOf<WelcomeMessage>();
    expectTypeOf<SignalingClient['welcome']>().toEqualTypeOf<WelcomeMessage | null>();
    expectTypeOf<JoinRequest['room']>().toEqualTypeOf<RoomName>();
    expectTypeOf<ConnectOptions['WebSocket']>().toEqualTypeOf<WebSocketConstructor | undefined>();
    expectTypeOf<InstanceType<WebSocketConstructor>>().toEqualTypeOf<WebSocketLike>();
    expectTypeOf(client.parseCandidate).returns.toEqualTypeOf<ParsedCandidate | null>();
    expectTypeOf<client.IcebreakerError['code']>().toEqualTypeOf<ErrorCode>();
  });

  it('exports every class and function by name', () => {
    const values: Record<string, unknown> = { ...client };
    const functions = ['connect', 'Room', 'RemotePeer', 'SignalingClient', 'IncomingTransfer', 'OutgoingTransfer', 'Emitter'];
    for (const name of [...functions, 'IcebreakerError', 'isIcebreakerError', 'parseCandidate']) {
      expect(typeof values[name], name).toBe('function');
    }
    expect([client.MAIN_LABEL, client.TRANSFER_LABEL]).toEqual(['icebreaker', 'icebreaker-file']);
  });
});
