import Foundation

/// Why the system refused to write a file, said the way the person at the machine acts on
/// it: which disk is full and how much is free, which folder is read-only or not theirs.
///
/// A write failure is never the input's fault: a batch stops at the first one (every later
/// file would fail the same way) and says which rows it cost.
public struct WriteFailure: Error, Sendable, Equatable, Codable {
    public enum Cause: String, Sendable, Codable {
        case diskFull, quota, readOnly, permission, other
    }

    public var cause: Cause
    /// The file that could not be written.
    public var path: String
    /// What the system said, then what it means here.
    public var message: String
    public var hint: String

    /// The failure `errno` stands for, for a write of `path`.
    public init(path: String, errno code: Int32) {
        self.path = path
        let system = String(cString: strerror(code))
        let mount = Self.mountPoint(of: path)
        switch code {
        case ENOSPC:
            cause = .diskFull
            message = "the disk holding \(mount) is full (\(Self.freeSpace(at: mount)) free): \(system)"
            hint = "free space on that disk, or choose an output folder on another one, then run the same command again"
        case EDQUOT:
            cause = .quota
            message = "the disk quota on \(mount) is used up: \(system)"
            hint = "free space within the quota, or choose an output folder elsewhere, then run the same command again"
        case EROFS:
            cause = .readOnly
            message = "\(mount) is mounted read-only: \(system)"
            hint = "choose an output folder on a writable disk"
        case EACCES, EPERM:
            cause = .permission
            message = "no permission to write in \((path as NSString).deletingLastPathComponent): \(system)"
            hint = "choose a folder you can write to, or ask for write access to this one"
        default:
            cause = .other
            message = "the system refused the write: \(system) (errno \(code))"
            hint = "check the disk holding \(mount), then run the same command again"
        }
    }

    /// The current `errno`'s failure.
    public static func current(path: String) -> WriteFailure { WriteFailure(path: path, errno: errno) }

    /// The failure inside a Foundation error, when it carries a POSIX code.
    public init?(path: String, error: any Error) {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain {
            self.init(path: path, errno: Int32(ns.code))
        } else if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            self.init(path: path, errno: Int32(underlying.code))
        } else if ns.domain == NSCocoaErrorDomain, ns.code == NSFileWriteOutOfSpaceError {
            self.init(path: path, errno: ENOSPC)
        } else if ns.domain == NSCocoaErrorDomain, ns.code == NSFileWriteVolumeReadOnlyError {
            self.init(path: path, errno: EROFS)
        } else if ns.domain == NSCocoaErrorDomain, ns.code == NSFileWriteNoPermissionError {
            self.init(path: path, errno: EACCES)
        } else {
            return nil
        }
    }

    /// The nearest existing folder of `path` whose parent is on another device: where the disk is mounted.
    static func mountPoint(of path: String) -> String {
        var current = URL(fileURLWithPath: path).standardizedFileURL
        var info = stat()
        while stat(current.path, &info) != 0, current.path != "/" { current.deleteLastPathComponent() }
        let device = info.st_dev
        while current.path != "/" {
            let parent = current.deletingLastPathComponent()
            var parentInfo = stat()
            guard stat(parent.path, &parentInfo) == 0, parentInfo.st_dev == device else { break }
            current = parent
        }
        return current.path
    }

    /// "12 KiB", what an unprivileged writer may still use on the disk at `path`.
    static func freeSpace(at path: String) -> String {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return "unknown space" }
        return ByteCount.text(UInt64(info.f_bavail) * UInt64(info.f_frsize))
    }
}

/// Byte counts as people read them.
package enum ByteCount {
    package static func text(_ bytes: UInt64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        guard unit > 0 else { return "\(bytes) bytes" }
        return String(format: value < 10 ? "%.1f " : "%.0f ", value) + units[unit]
    }
}
