/// What an upload holds, decided from its bytes (never from the declared `Content-Type`).
enum UploadMedia: String, Codable, Sendable, CaseIterable {
    /// A still image (PNG, JPEG, WEBP): usable as a reference image.
    case image
    /// A song or sound (MP3, WAV, M4A, OGG): usable as a project's or a merge's song.
    case audio
}

/// The formats an upload may have, each with the one ffmpeg demuxer that may read it (forced with `-f`, so ffmpeg never
/// guesses a format, and never a playlist or network one).
enum UploadFormat: String, Sendable, CaseIterable {
    case png
    case jpeg
    case webp
    case mp3
    case wav
    case m4a
    case ogg

    /// The stored content type.
    var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        case .mp3: "audio/mpeg"
        case .wav: "audio/wav"
        case .m4a: "audio/mp4"
        case .ogg: "audio/ogg"
        }
    }

    /// Image or audio.
    var media: UploadMedia {
        switch self {
        case .png, .jpeg, .webp: .image
        case .mp3, .wav, .m4a, .ogg: .audio
        }
    }

    /// The ffmpeg/ffprobe demuxer forced for this format (`-f`).
    var demuxer: String {
        switch self {
        case .png: "png_pipe"
        case .jpeg: "jpeg_pipe"
        case .webp: "webp_pipe"
        case .mp3: "mp3"
        case .wav: "wav"
        case .m4a: "mov"
        case .ogg: "ogg"
        }
    }

    /// Audio codecs accepted inside this container (ffprobe's `codec_name`); empty for images.
    var audioCodecs: Set<String> {
        switch self {
        case .png, .jpeg, .webp: []
        case .mp3: ["mp3"]
        case .wav: ["pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_u8", "pcm_f32le", "pcm_f64le", "pcm_alaw", "pcm_mulaw"]
        case .m4a: ["aac", "alac", "mp3"]
        case .ogg: ["vorbis", "opus", "flac"]
        }
    }

    /// The image codec ffprobe reports for an image format (`codec_name` of its one video stream).
    var imageCodec: String? {
        switch self {
        case .png: "png"
        case .jpeg: "mjpeg"
        case .webp: "webp"
        case .mp3, .wav, .m4a, .ogg: nil
        }
    }
}
