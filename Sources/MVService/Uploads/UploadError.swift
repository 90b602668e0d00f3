/// Why an upload was refused; mapped to problem+json once, in `Problem+Domain.swift`. Nothing is stored for any of them.
enum UploadError: Error, Equatable {
    /// The body passed `limits.max_upload_bytes` while streaming: 413 `body_too_large`.
    case tooLarge(limit: Int64)
    /// The body (or the multipart `file` part) is empty: 422 `invalid_media`.
    case empty
    /// The bytes are not one of the accepted formats (text, playlists, video, anything else): 415 `unsupported_media_type`.
    case unsupportedType(String)
    /// A recognised format that is broken, truncated, or declares too many pixels: 422 `invalid_media`.
    case invalidMedia(String)
    /// A `multipart/form-data` body that cannot be parsed (no boundary, bad syntax, two files): 400 `malformed_multipart`.
    case malformedMultipart(String)
    /// A `multipart/form-data` body without a part named `file`: 422 `validation_failed` naming `file`.
    case missingFilePart
}
