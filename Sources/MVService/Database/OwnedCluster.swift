/// An embedded cluster this process is responsible for stopping: it started it, or adopted it from an owner that
/// is gone (for example a `serve` killed with `kill -9`). Holding the value keeps the ``ClusterOwnerLock``.
struct OwnedCluster: Sendable {
    /// The cluster.
    let cluster: EmbeddedPostgres
    /// This process's claim on it.
    let lock: ClusterOwnerLock
    /// True when the cluster was already running and its owner was gone; false when this process started it.
    let adopted: Bool

    /// Stops the cluster (fast shutdown), then gives up the claim.
    func stop() async {
        await cluster.stop()
        lock.release()
    }
}
