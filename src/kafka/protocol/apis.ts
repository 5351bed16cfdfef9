/**
 * Every API descriptor of the protocol layer, by key: for version
 * negotiation over a whole connection and for tests that go over all of
 * them.
 * @module
 */
import type { Api } from "./api.ts";
import { apiVersionsApi } from "./api-versions.ts";
import { consumerGroupHeartbeatApi } from "./consumer-group-heartbeat.ts";
import { createTopicsApi } from "./create-topics.ts";
import { describeGroupsApi } from "./describe-groups.ts";
import { fetchApi } from "./fetch.ts";
import { findCoordinatorApi } from "./find-coordinator.ts";
import { heartbeatApi } from "./heartbeat.ts";
import { initProducerIdApi } from "./init-producer-id.ts";
import { joinGroupApi } from "./join-group.ts";
import { leaveGroupApi } from "./leave-group.ts";
import { listGroupsApi } from "./list-groups.ts";
import { listOffsetsApi } from "./list-offsets.ts";
import { metadataApi } from "./metadata.ts";
import { offsetCommitApi } from "./offset-commit.ts";
import { offsetFetchApi } from "./offset-fetch.ts";
import { saslAuthenticateApi } from "./sasl-authenticate.ts";
import { saslHandshakeApi } from "./sasl-handshake.ts";
import { syncGroupApi } from "./sync-group.ts";

// biome-ignore lint/suspicious/noExplicitAny: descriptors of different request and response types share one map.
type AnyApi = Api<any, any>;

const ALL: readonly AnyApi[] = [
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  saslHandshakeApi,
  apiVersionsApi,
  createTopicsApi,
  initProducerIdApi,
  saslAuthenticateApi,
  consumerGroupHeartbeatApi,
];

/**
 * Every descriptor in src/kafka/protocol by API key (Produce, key 0, lives
 * in src/kafka/produce/ and is not one of them).
 * @example
 * ```ts ignore
 * const api = API_BY_KEY.get(18); // apiVersionsApi
 * ```
 */
export const API_BY_KEY: ReadonlyMap<number, AnyApi> = new Map(ALL.map((api) => [api.key, api]));
