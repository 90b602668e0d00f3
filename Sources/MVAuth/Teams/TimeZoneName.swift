import Foundation

/// IANA time zone names, validated against the system's zone database.
public enum TimeZoneName {
    /// Every name ``validate(_:field:)`` accepts, sorted: the system's known zones that have a region (`Europe/Berlin`),
    /// plus `UTC` and `GMT`. The OpenAPI document lists them.
    public static let all: [String] = {
        let names = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC", "GMT"])
        return names.filter { name in
            name.count <= 64 && (name.contains("/") || name == "UTC" || name == "GMT") && TimeZone(identifier: name) != nil
        }.sorted()
    }()

    private static let known = Set(all)

    /// `name` when it is one of ``all`` (exactly as spelled there), else ``TeamError/invalidInput(field:message:)``.
    public static func validate(_ name: String, field: String = "time_zone") throws(TeamError) -> String {
        guard known.contains(name) else {
            throw TeamError.invalidInput(field: field, message: "must be an IANA time zone such as Europe/Berlin or UTC")
        }
        return name
    }
}
