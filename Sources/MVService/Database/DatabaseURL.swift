import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database` URL (also `?host=/socket/dir` for unix sockets).
struct DatabaseURL: Sendable, Equatable {
    /// Host name, or nil when `socketDirectory` is used.
    var host: String?
    /// TCP port (also names the unix socket file).
    var port: Int
    /// Directory of the unix socket, from `?host=/path`.
    var socketDirectory: String?
    /// Role name.
    var username: String
    /// Password, if any.
    var password: String?
    /// Database name.
    var database: String

    /// Parses `string`; nil when it is not a postgres URL.
    init?(_ string: String) {
        guard let components = URLComponents(string: string),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { return nil }
        let socket = components.queryItems?.first(where: { $0.name == "host" })?.value
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        guard host != nil || socket != nil else { return nil }
        self.host = host
        self.socketDirectory = socket
        self.port = components.port ?? 5432
        self.username = components.user ?? "postgres"
        self.password = components.password
        let name = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = name.isEmpty ? self.username : name
    }

    /// Creates a URL value for a unix-socket cluster.
    init(socketDirectory: String, port: Int, username: String, database: String) {
        self.host = nil
        self.socketDirectory = socketDirectory
        self.port = port
        self.username = username
        self.password = nil
        self.database = database
    }

    /// The same server, another database.
    func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL as text (password included: never log it).
    var urlString: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host ?? ""
        components.port = port
        components.path = "/" + database
        if let socketDirectory { components.queryItems = [URLQueryItem(name: "host", value: socketDirectory)] }
        return components.string ?? ""
    }

    /// A postgres-nio client configuration.
    var clientConfiguration: PostgresClient.Configuration {
        if let socketDirectory {
            return PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        }
        return PostgresClient.Configuration(
            host: host ?? "localhost", port: port, username: username, password: password, database: database, tls: .disable)
    }
}
