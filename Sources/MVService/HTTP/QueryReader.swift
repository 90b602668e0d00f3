import Foundation
import Hummingbird
import MVCore

/// Reads the query parameters of a list route, collecting every bad one so the caller gets one 422 naming them all.
///
/// ```swift
/// var query = QueryReader(request)
/// filter.from = query.time("from")
/// filter.limit = query.limit()
/// try query.finish()
/// ```
struct QueryReader {
    private let parameters: [String: String]
    private(set) var errors: [FieldError] = []

    init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        self.parameters = parameters
    }

    /// The raw value, if present.
    func raw(_ name: String) -> String? { parameters[name] }

    /// A value parsed by `parse`, or nil (recording `message` when present but unreadable).
    mutating func value<T>(_ name: String, _ message: String, _ parse: (String) -> T?) -> T? {
        guard let raw = parameters[name] else { return nil }
        guard let value = parse(raw) else {
            errors.append(FieldError(field: name, message: message))
            return nil
        }
        return value
    }

    /// A UUID.
    mutating func uuid(_ name: String) -> UUID? { value(name, "must be a UUID") { UUID(parsing: $0) } }

    /// An RFC 3339 time, in any form a client sends.
    mutating func time(_ name: String) -> Date? {
        value(name, "must be an RFC 3339 time such as 2026-11-24T18:00:00Z") { RFC3339.date(from: $0) }
    }

    /// A string enum's case.
    mutating func oneOf<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) -> T? where T.RawValue == String {
        value(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))") { T(rawValue: $0) }
    }

    /// `limit`, 1...100, `fallback` when absent.
    mutating func limit(fallback: Int = 50) -> Int {
        value("limit", "must be 1...100") { Int($0).flatMap { (1...100).contains($0) ? $0 : nil } } ?? fallback
    }

    /// `cursor` of a list keyed by a positive entry id: 1 to 18 digits, no leading zero (what `next_cursor` holds).
    mutating func idCursor() -> Int64? {
        value("cursor", "is not a cursor from this list") { raw in
            guard (1...18).contains(raw.utf8.count), raw.utf8.first != UInt8(ascii: "0"), raw.utf8.allSatisfy({ (48...57).contains($0) }) else {
                return nil
            }
            return Int64(raw)
        }
    }

    /// Throws one 422 naming every bad parameter.
    func finish() throws(ValidationError) {
        guard errors.isEmpty else { throw ValidationError(errors) }
    }
}
