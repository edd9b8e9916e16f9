import LinearAlgebra

/// The backend given, or the preferred one of this build.
func resolveBackend(_ backend: (any Backend)?) throws(ModelError) -> any Backend {
    if let backend { return backend }
    do { return try BackendKind.preferred.make() } catch { throw .linearAlgebra(error) }
}
