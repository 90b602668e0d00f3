import ArgumentParser
import Foundation
import Logging
import MVAuth
import MVBilling
import MVCore
import PostgresNIO

extension MVServiceCommand.Admin {
    /// `mvservice admin create-user --email E --password P [--platform-admin]`.
    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create-user", abstract: "Create a user with a personal team.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Email address.") var email: String
        @Option(help: "Password (8-128 characters).") var password: String
        @Option(help: "Display name.") var name: String = ""
        @Flag(name: .customLong("platform-admin"), help: "Make the user a platform administrator.") var platformAdmin = false

        func run() async throws {
            let config = try options.load()
            try await AdminDatabase.with(config) { postgres, logger in
                let normalized = try EmailAddress.normalize(email)
                try PasswordPolicy.validate(password)
                let hash = try await PasswordHasher(cost: config.auth.bcryptCost).hash(password)
                let (user, team) = try await PostgresIdentityStore(client: postgres, logger: logger).createUser(
                    email: normalized, passwordHash: hash, name: name, teamName: nil, isPlatformAdmin: platformAdmin)
                print("created user \(user.id) (\(user.email)) with team \(team.id)\(platformAdmin ? ", platform admin" : "")")
            }
        }
    }

    /// `mvservice admin grant-credits --team T --amount N [--reason R]`.
    struct GrantCredits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "grant-credits", abstract: "Grant (or with a negative amount, adjust) team credits.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Team id.") var team: String
        @Option(help: "Credits (integer).") var amount: Int64
        @Option(help: "Reason recorded in the ledger.") var reason: String = "cli grant"

        func run() async throws {
            guard let teamID = UUID(parsing: team) else { throw ArgumentParser.ValidationError("--team must be a UUID") }
            let config = try options.load()
            try await AdminDatabase.with(config) { postgres, logger in
                let ledger = Ledger(logger: logger)
                let balance = try await postgres.withTransaction(logger: logger) { connection in
                    try await ledger.grant(teamID: teamID, amount: amount, reason: reason, userID: nil, on: connection)
                }
                print("team \(teamID): available \(balance.available), held \(balance.held), posted \(balance.posted)")
            }
        }
    }
}

/// Runs a CLI task against the database: resolves it (starting the embedded cluster if needed and stopping it
/// afterwards if this process started it), applies migrations, runs `body`.
enum AdminDatabase {
    static func with(_ config: AppConfig, _ body: @Sendable (PostgresClient, Logger) async throws -> Void) async throws {
        let logger = Logger.service(level: .warning)
        let database = try await DatabaseBootstrap.resolve(config, logger: logger)
        let postgres = PostgresClient(configuration: database.url.clientConfiguration, backgroundLogger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                let migrator = Migrator(client: postgres, migrations: try Migration.load(directory: config.sqlDirectory), logger: logger)
                try await migrator.migrate()
                try await body(postgres, logger)
                group.cancelAll()
            }
        } catch {
            await database.ownedCluster?.stop()
            throw error
        }
        await database.ownedCluster?.stop()
    }
}
