import Foundation
import MVBackends
import MVBilling
import MVCore
import Testing
@testable import MVService

/// Configuration loading: bad values name their file and key; environment beats the file; flags beat both;
/// sibling files (prices) are validated too.
struct ConfigTests {
    /// A fresh folder holding `files` (name → text); removed by the caller.
    static func folder(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "mvtest-config-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// Loads `service.yaml` from a folder made of `files`, expecting a ConfigError.
    static func loadError(
        _ files: [String: String], environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (error: ConfigError?, directory: String) {
        let directory = try folder(files)
        let error = #expect(throws: ConfigError.self, sourceLocation: sourceLocation) {
            try AppConfig.load(configPath: directory + "/service.yaml", environment: environment)
        }
        return (error, directory)
    }

    @Test func nonNumericPortNamesFileAndKey() throws {
        let (error, directory) = try Self.loadError(["service.yaml": "server:\n  port: \"abc\"\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(error?.file == directory + "/service.yaml")
        #expect(error?.key == "server.port")
        #expect(error?.description.contains("server.port") == true)
    }

    @Test func minConnectionsAboveMaxOrNegativeNamesKey() throws {
        for text in ["database:\n  max_connections: 5\n  min_connections: 6\n", "database:\n  min_connections: -1\n"] {
            let (error, directory) = try Self.loadError(["service.yaml": text])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(error?.key == "database.min_connections", "\(text)")
        }
        let directory = try Self.folder(["service.yaml": "database:\n  max_connections: 5\n  min_connections: 5\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try AppConfig.load(configPath: directory + "/service.yaml", environment: [:])
        #expect(config.databaseMinConnections == 5 && config.databaseMaxConnections == 5)
    }

    @Test func unknownRegistrationModeNamesKey() throws {
        let (error, directory) = try Self.loadError(["service.yaml": "auth:\n  registration: maybe\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(error?.file == directory + "/service.yaml")
        #expect(error?.key == "auth.registration")
        #expect(error?.reason.contains("maybe") == true)
    }

    @Test func environmentOverridesFileAndFlagsOverrideBoth() throws {
        let directory = try Self.folder(["service.yaml": "server:\n  host: 10.0.0.1\n  port: 8081\ndata_dir: /from/file\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/service.yaml"

        let fileOnly = try AppConfig.load(configPath: path, environment: [:])
        #expect(fileOnly.port == 8081 && fileOnly.host == "10.0.0.1" && fileOnly.dataDirectory == "/from/file")

        let environment = ["MV_PORT": "9000", "MV_DATA_DIR": "/from/env"]
        let withEnvironment = try AppConfig.load(configPath: path, environment: environment)
        #expect(withEnvironment.port == 9000)
        #expect(withEnvironment.dataDirectory == "/from/env")
        #expect(withEnvironment.host == "10.0.0.1", "keys the environment does not set keep the file's value")

        let withFlags = try AppConfig.load(
            configPath: path, environment: environment, overrides: ConfigOverrides(port: 9100, dataDirectory: "/from/flags"))
        #expect(withFlags.port == 9100)
        #expect(withFlags.dataDirectory == "/from/flags")

        let badEnvironment = #expect(throws: ConfigError.self) {
            try AppConfig.load(configPath: path, environment: ["MV_PORT": "ninety"])
        }
        #expect(badEnvironment?.key == "MV_PORT")
        #expect(badEnvironment?.file == "environment")
    }

    @Test func negativePriceNamesPricingFileAndKey() throws {
        let (error, directory) = try Self.loadError([
            "service.yaml": "server:\n  port: 8080\n",
            "pricing.yaml": "video:\n  mock: 1\n  mock-video: -5\nimage:\n  mock: 1\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(error?.file.hasSuffix("pricing.yaml") == true, "file: \(error?.file ?? "none")")
        #expect(error?.key == "video.mock-video")
        #expect(error?.reason.contains("-5") == true)

        // The same folder with a valid price loads, so the error above is about the value.
        try "video:\n  mock: 1\n  mock-video: 5\n".write(toFile: directory + "/pricing.yaml", atomically: true, encoding: .utf8)
        let config = try AppConfig.load(configPath: directory + "/service.yaml", environment: [:])
        #expect(config.prices.video["mock-video"] == 5)
    }

    @Test func modelsCatalogEnvironmentVariableSelectsTheCatalog() throws {
        let directory = try Self.folder([
            "service.yaml": "server:\n  port: 8080\n",
            "models.yaml": "version: 1\nvideo:\n  - provider: mock\n    model: from-config-dir\n",
            "other-models.yaml": "version: 1\nvideo:\n  - provider: mock\n    model: from-environment\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plain = try AppConfig.load(configPath: directory + "/service.yaml", environment: [:])
        #expect(plain.catalog?.entries.map(\.model) == ["from-config-dir"])

        let chosen = try AppConfig.load(
            configPath: directory + "/service.yaml", environment: ["MV_MODELS_CATALOG": directory + "/other-models.yaml"])
        #expect(chosen.catalog?.entries.map(\.model) == ["from-environment"])
        #expect(chosen.backends.catalogPath == directory + "/other-models.yaml")

        let missing = #expect(throws: ConfigError.self) {
            try AppConfig.load(configPath: directory + "/service.yaml", environment: ["MV_MODELS_CATALOG": directory + "/nope.yaml"])
        }
        #expect(missing?.file == directory + "/nope.yaml")
    }
}
