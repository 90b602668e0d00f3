import ServiceLifecycle

/// Stops the embedded cluster this process owns when the service group shuts down (SIGTERM, SIGINT); listed
/// first so it stops last. With no owned cluster (external database, or another live process owns it) it only
/// waits for the shutdown.
struct EmbeddedPostgresService: Service {
    let cluster: OwnedCluster?

    func run() async throws {
        try? await gracefulShutdown()
        await cluster?.stop()
    }
}
