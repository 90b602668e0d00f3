/// One invalid field of a request: the snake_case name as the client sent it and what is wrong with it.
struct FieldError: Codable, Sendable, Equatable {
    /// snake_case field name (`duration`, `reference_image_ids[1]`).
    var field: String
    /// What is wrong with it.
    var message: String

    /// Creates a field error.
    init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// A request that fails validation, listing every bad field. Knows nothing of HTTP: the edge renders it as a
/// 422 `validation_failed` problem.
struct ValidationError: Error, Sendable, Equatable {
    /// The bad fields, in the order they were checked.
    var errors: [FieldError]

    /// Creates an error from field errors.
    init(_ errors: [FieldError]) {
        self.errors = errors
    }

    /// One bad field.
    /// - Parameters:
    ///   - field: snake_case field name.
    ///   - message: What is wrong.
    static func invalid(_ field: String, _ message: String) -> ValidationError {
        ValidationError([FieldError(field: field, message: message)])
    }
}
