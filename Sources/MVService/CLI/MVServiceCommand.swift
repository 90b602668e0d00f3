import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MVBackends
import MVCore
import ServiceLifecycle

/// `mvservice`: the API server, workers, migrations and admin tasks.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct MVServiceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mvservice",
        abstract: "MV Service: music videos from generative models.",
        subcommands: [Serve.self, Worker.self, Migrate.self, Admin.self, MergeBench.self],
        defaultSubcommand: Serve.self)

    public init() {}
}

/// Options every command shares. Flags win over environment variables, which win over `configs/service.yaml`.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Service configuration file.")
    var config: String = "configs/service.yaml"

    @Option(name: .customLong("data-dir"), help: "Data directory (embedded PostgreSQL, media, keys). Env: MV_DATA_DIR.")
    var dataDir: String?

    @Option(name: .customLong("database-url"), help: "External PostgreSQL URL. Env: DATABASE_URL.")
    var databaseURL: String?

    @Option(name: .long, help: "Address to bind. Env: MV_HOST.")
    var host: String?

    @Option(name: .long, help: "Port to bind. Env: MV_PORT.")
    var port: Int?

    func load() throws -> AppConfig {
        do {
            return try AppConfig.load(
                configPath: config,
                overrides: ConfigOverrides(host: host, port: port, dataDirectory: dataDir, databaseURL: databaseURL))
        } catch {
            throw ArgumentParser.ValidationError("bad configuration: \(error.description)")
        }
    }
}

extension MVServiceCommand {
    /// `mvservice serve`: HTTP API plus in-process workers.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the HTTP API and in-process job workers.")
        @OptionGroup var options: CommonOptions
        @Flag(name: .customLong("no-workers"), help: "Serve the API only; run `mvservice worker` separately.")
        var noWorkers = false

        func run() async throws {
            var config = try options.load()
            config.runWorkers = !noWorkers
            let app = try await buildApplication(config)
            let logger = Logger.service(level: .info)
            let mode = config.backends.replicateToken == nil && config.backends.geminiKey == nil || config.backends.forceMock
                ? "mock providers (no provider keys set)" : "real providers"
            logger.info("""
                MV Service listening on http://\(config.host):\(config.port) with \(mode). \
                Sign up: curl -X POST http://\(config.host):\(config.port)/api/auth/register \
                -H 'content-type: application/json' -d '{"email":"you@example.com","password":"a-long-password"}'
                """)
            try await app.runService()
        }
    }

    /// `mvservice worker`: job workers only.
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run job workers only (no HTTP).")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let config = try options.load()
            let group = try await buildWorkerGroup(config)
            try await group.run()
        }
    }

    /// `mvservice migrate`: apply pending migrations and exit.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let config = try options.load()
            try await AdminDatabase.with(config) { _, _ in
                print("database schema is current")
            }
        }
    }

    /// `mvservice admin ...`.
    struct Admin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Administrative tasks.", subcommands: [CreateUser.self, GrantCredits.self])
    }
}
