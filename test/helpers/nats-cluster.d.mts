/** Path of nats-server, or null when it is not installed. */
export function natsServerBinary(): string | null;

/** Polls `check` every 50 ms until it is true; throws naming `what` after `timeoutMs`. */
export function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;

/** A running cluster. */
export interface NatsCluster {
  /** `nats://127.0.0.1:P1,...` for --nats. */
  urls: string;
  /** Client URL of one node. */
  url(i: number): string;
  /** Server name of each node (s1, s2, s3). */
  names: string[];
  /** Monitoring base URL of a node. */
  monitor(i: number): string;
  /** SIGKILLs node i and waits for it to exit. */
  kill(i: number): Promise<void>;
  /** Starts node i again on the same ports and storage; resolves when it is healthy. */
  restart(i: number): Promise<void>;
  /** Stops every node and removes the storage. */
  close(): Promise<void>;
}

/** Starts a `size`-node JetStream cluster and resolves once every node answers /healthz. */
export function startNatsCluster(binary: string, size?: number): Promise<NatsCluster>;
