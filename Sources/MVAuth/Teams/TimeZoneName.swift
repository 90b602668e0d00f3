import Foundation

/// IANA time zone names, validated against the system's zone database.
public enum TimeZoneName {
    /// `name` when it is a known IANA zone (`Europe/Berlin`, `UTC`), else ``TeamError/invalidInput(field:message:)``.
    public static func validate(_ name: String, field: String = "time_zone") throws(TeamError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmed.count), trimmed.contains("/") || trimmed == "UTC" || trimmed == "GMT",
            TimeZone(identifier: trimmed) != nil
        else {
            throw TeamError.invalidInput(field: field, message: "must be an IANA time zone such as Europe/Berlin or UTC")
        }
        return trimmed
    }
}
