import Hummingbird
import NIOCore

/// What every request of the service carries: Hummingbird's core context and the address
/// it came from (for rate limits; never logged with anything personal).
public struct ServiceContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Uploads are read whole up to this size; the routes that take files set their own.
    public var maxUploadSize: Int { 64 * 1024 }
}
