// The wire-level simulator tests share a mocha process with the adapter tests, whose aws-sdk-client-mock stubs
// replace every client class's prototype `send` for good (mockClient(ECSClient) at module load). These tests talk
// to the simulator for real: an own `send` on the instance, the original one, shadows the stub.

/** The client with its real `send`, whatever stub sits on its class's prototype. */
export function unmocked<T extends object>(client: T): T {
    const proto = Object.getPrototypeOf(client) as { send: ((...args: unknown[]) => unknown) & { wrappedMethod?: (...args: unknown[]) => unknown } };
    const original = proto.send.wrappedMethod ?? proto.send;
    Object.defineProperty(client, "send", { value: original.bind(client), configurable: true });
    return client;
}
