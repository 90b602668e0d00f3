import Foundation
import MVCore

/// `PATCH /api/mv/videos/{id}`: `{title?, tags?}`. Only these two are writable; any other member (owner, team,
/// sha256, size, ...) is ignored, like every unknown member of a request body, and never reaches SQL.
struct AssetUpdateInput: Decodable {
    /// Longest title.
    static let maxTitleLength = 200
    /// Most tags on one asset.
    static let maxTags = 20
    /// Longest tag.
    static let maxTagLength = 50

    var title: String?
    var tags: [String]?

    /// The title and tags to store (trimmed; tags deduplicated in order), or every bad field.
    func validated() throws(ValidationError) -> (title: String?, tags: [String]?) {
        var errors: [FieldError] = []
        let title = title?.trimmingWhitespaceAndNewlines()
        if let title, title.isEmpty || (self.title?.unicodeScalars.count ?? 0) > Self.maxTitleLength {
            errors.append(FieldError(field: "title", message: "must be 1...\(Self.maxTitleLength) characters, not blank"))
        }
        var tags: [String]?
        if let raw = self.tags {
            if raw.count > Self.maxTags { errors.append(FieldError(field: "tags", message: "at most \(Self.maxTags) tags")) }
            var seen: [String] = []
            for (index, tag) in raw.enumerated() {
                let trimmed = tag.trimmingWhitespaceAndNewlines()
                if trimmed.isEmpty || tag.unicodeScalars.count > Self.maxTagLength || trimmed.contains(",") {
                    errors.append(FieldError(field: "tags[\(index)]", message: "must be 1...\(Self.maxTagLength) characters without commas"))
                } else if !seen.contains(trimmed) {
                    seen.append(trimmed)
                }
            }
            tags = seen
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return (title, tags)
    }
}
