import Crypto
import Foundation
import MVCore

/// One numbered file of `sql/`: `NNN_name.sql`, applied once, in order, identified by its checksum.
struct Migration: Sendable, Equatable {
    /// The number before the first underscore.
    var version: Int
    /// The file name.
    var name: String
    /// SHA-256 of the file's bytes, hex.
    var checksum: String
    /// The statements of the file, split for the extended query protocol (one statement per query).
    var statements: [String]

    /// Reads every `NNN_*.sql` file of `directory`, sorted by version.
    /// - Throws: ``ConfigError`` for unreadable files, bad names or duplicate versions.
    static func load(directory: String) throws(ConfigError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        } catch {
            throw ConfigError(file: directory, key: "-", reason: "cannot list migrations folder")
        }
        var migrations: [Migration] = []
        for name in names {
            guard let prefix = name.split(separator: "_").first, let version = Int(prefix) else {
                throw ConfigError(file: directory + "/" + name, key: "-", reason: "migration files are named NNN_name.sql")
            }
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw ConfigError(file: directory + "/" + name, key: "-", reason: "cannot read")
            }
            let checksum = SHA256.hash(data: data).hexString
            let text = String(decoding: data, as: UTF8.self)
            migrations.append(Migration(version: version, name: name, checksum: checksum, statements: split(text)))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw ConfigError(file: directory, key: b.name, reason: "duplicate migration version \(b.version)")
        }
        return migrations
    }

    /// Splits SQL text into statements at `;` line ends, keeping `$$ ... $$` bodies whole and dropping
    /// comment-only chunks.
    static func split(_ text: String) -> [String] {
        var statements: [String] = []
        var current: [Substring] = []
        var insideDollarQuote = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            current.append(line)
            let dollarCount = line.components(separatedBy: "$$").count - 1
            if dollarCount % 2 == 1 { insideDollarQuote.toggle() }
            // A statement ends at a `;` that closes the line's code, before any trailing `--` comment.
            let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line[...]
            let trimmed = code.trimmingCharacters(in: .whitespaces)
            if !insideDollarQuote && trimmed.hasSuffix(";") {
                statements.append(current.joined(separator: "\n"))
                current = []
            }
        }
        statements.append(current.joined(separator: "\n"))
        return statements.filter { statement in
            statement.split(separator: "\n").contains { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("--")
            }
        }
    }
}
