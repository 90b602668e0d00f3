import Foundation
import MVBackends
import MVCore

extension VideoJobSpec {
    /// The spec as JSON text, byte for byte what ``JSONCoding/encode(_:)`` writes for it, by ``JSONWriter``: it is
    /// stored on every video job and its SHA-256 is what "the same body" means for an Idempotency-Key, so the bytes
    /// must not change; `JSONEncoder` (key conversion, sorting, boxing) cost an admission a fourteenth of the server's
    /// CPU. Keys in sorted order; absent optionals are left out, as the synthesized `Encodable` does. A test compares
    /// the two for specs of every shape.
    var jsonBytes: [UInt8] {
        var json = JSONWriter(capacity: 256 + fullPrompt.utf8.count + prompt.utf8.count)
        json.beginObject()
        json.key("aspect_ratio")
        json.string(aspectRatio)
        json.key("backend")
        json.string(backend.rawValue)
        json.key("duration_seconds")
        json.int(Int64(durationSeconds))
        json.key("full_prompt")
        json.string(fullPrompt)
        json.key("generate_audio")
        json.bool(generateAudio)
        if let model {
            json.key("model")
            json.string(model)
        }
        if let negativePrompt {
            json.key("negative_prompt")
            json.string(negativePrompt)
        }
        if let projectId {
            json.key("project_id")
            json.uuid(projectId)
        }
        json.key("prompt")
        json.string(prompt)
        json.key("reference_image_ids")
        json.beginArray()
        for id in referenceImageIds { json.uuid(id) }
        json.endArray()
        json.key("resolution")
        json.string(resolution)
        if let sceneIndex {
            json.key("scene_index")
            json.int(Int64(sceneIndex))
        }
        if let seed {
            json.key("seed")
            json.int(Int64(seed))
        }
        json.endObject()
        return json.bytes
    }
}
