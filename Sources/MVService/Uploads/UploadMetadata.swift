import Foundation
import MVCore

/// `assets.metadata` of an upload (the contract merge and projects read): `media`, and `duration_seconds` for audio,
/// `width`/`height` for images, `original_name` when the client named the file.
struct UploadMetadata: Codable, Sendable, Equatable {
    var media: UploadMedia
    var durationSeconds: Double?
    var width: Int?
    var height: Int?
    var originalName: String?

    /// Longest kept `original_name`, in Unicode scalars.
    static let maxNameScalars = 200

    /// The metadata of an inspected file.
    init(_ inspected: UploadInspector.Inspected, originalName: String?) {
        media = inspected.format.media
        durationSeconds = inspected.durationSeconds
        width = inspected.width
        height = inspected.height
        self.originalName = originalName.flatMap(Self.cleanName)
    }

    /// A client's file name as it may be shown: the last path component, without control characters, at most
    /// ``maxNameScalars`` scalars; nil when nothing is left.
    static func cleanName(_ raw: String) -> String? {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = last.unicodeScalars.filter { !$0.properties.generalCategory.isControl }
        let name = String(String.UnicodeScalarView(kept.prefix(maxNameScalars))).trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }
}

extension Unicode.GeneralCategory {
    /// Control, format, surrogate, private-use and unassigned scalars: never kept in a shown name.
    fileprivate var isControl: Bool {
        switch self {
        case .control, .format, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }
}
