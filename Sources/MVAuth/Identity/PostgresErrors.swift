import PostgresNIO

/// Helpers for reading PostgreSQL failures at the store boundary.
enum PostgresErrors {
    /// `withTransaction` wraps every failure, including our own thrown errors; return the underlying one.
    static func unwrap(_ error: any Error) -> any Error {
        if let transactionError = error as? PostgresTransactionError {
            return transactionError.closureError ?? transactionError.beginError ?? transactionError.commitError
                ?? transactionError
        }
        return error
    }

    /// Whether `error` (possibly wrapped) is SQLSTATE 23505 unique_violation.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (unwrap(error) as? PSQLError)?.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
    }
}
