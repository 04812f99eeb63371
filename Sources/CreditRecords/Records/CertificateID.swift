import Crypto
import Foundation

/// A certificate's id, such as `7KQ2M-XW4HD-R`: short, typable, stable for the same
/// activity and learner, and not guessable from them.
///
/// Ten Crockford base-32 characters (no I, L, O or U) taken from an HMAC-SHA256 of the
/// activity and learner ids under the issuer's secret key, then a Luhn mod 32 check
/// character that catches any single mistyped character and most swapped neighbours.
public enum CertificateID {
    package static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// `revision` 2, 3… gives the ids of reissued certificates; 1 is the first issue.
    public static func make(activity: String, learner: String, key: SymmetricKey, revision: Int = 1) -> String {
        var text = "creditpress-certificate-id\u{0}\(activity)\u{0}\(learner)"
        if revision > 1 { text += "\u{0}revision \(revision)" }
        let message = Data(text.utf8)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        // The first 50 bits of the MAC, five bits per character.
        var value: UInt64 = 0
        for byte in mac.prefix(7) { value = value << 8 | UInt64(byte) }
        value >>= 6
        var digits: [Int] = []
        for _ in 0..<10 {
            digits.insert(Int(value & 31), at: 0)
            value >>= 5
        }
        let body = String(digits.map { alphabet[$0] })
        return "\(body.prefix(5))-\(body.suffix(5))-\(alphabet[checkDigit(digits)])"
    }

    /// Reads an id as a person typed it: any case, with or without hyphens, O for 0 and
    /// I or L for 1. Nil when the check character does not match.
    public static func normalise(_ text: String) -> String? {
        var digits: [Int] = []
        for character in text.uppercased() where character != "-" && character != " " {
            let mapped: Character = character == "O" ? "0" : (character == "I" || character == "L") ? "1" : character
            guard let index = alphabet.firstIndex(of: mapped) else { return nil }
            digits.append(index)
        }
        guard digits.count == 11, checkDigit(Array(digits.prefix(10))) == digits[10] else { return nil }
        let body = String(digits.prefix(10).map { alphabet[$0] })
        return "\(body.prefix(5))-\(body.suffix(5))-\(alphabet[digits[10]])"
    }

    /// Luhn mod 32 over the digits.
    package static func checkDigit(_ digits: [Int]) -> Int {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            var addend = position % 2 == 0 ? digit * 2 : digit
            addend = addend / 32 + addend % 32
            sum += addend
        }
        return (32 - sum % 32) % 32
    }
}

/// The issuer's secret for certificate ids: 32 random bytes, base64, in a file only the
/// owner can read.
public struct IssuerKey: Sendable {
    package let secret: Data
    public let file: URL
    /// True when the file did not exist and was made on this run.
    public let created: Bool

    package init(secret: Data, file: URL, created: Bool) {
        self.secret = secret
        self.file = file
        self.created = created
    }

    public var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Loads the key from `file`. A missing key is an error, never made here: a new key
    /// would give every learner a new certificate id (`creditpress keys init` makes one).
    public static func load(at file: URL) throws(InputError) -> IssuerKey {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw InputError([Problem(file: file.path, field: "", message: "does not exist: there is no certificate-id key here",
                                      hint: "make one once with `creditpress keys id --out \(file.path)` (or `keys init`), back it up, and use it for every run; if you have one, give its path with --id-key")])
        }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be read (\(error.localizedDescription))",
                                      hint: "check that the key file is readable by this user")])
        }
        guard let data = Data(base64Encoded: text), data.count >= 16 else {
            throw InputError([Problem(file: file.path, field: "", message: "is not a certificate-id key (base64 of at least 16 bytes)",
                                      hint: "restore the key file from your backup; a new key would change every certificate id")])
        }
        return IssuerKey(secret: data, file: file, created: false)
    }

    /// Makes a new key of 32 random bytes at `file`, readable by its owner only. Refuses to
    /// replace a key that exists.
    public static func create(at file: URL) throws(InputError) -> IssuerKey {
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw InputError([Problem(file: file.path, field: "", message: "exists already; a key is never replaced",
                                      hint: "use the existing key, or give another path")])
        }
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be created: its folder cannot be made (\(error.localizedDescription))")])
        }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let text = secret.base64EncodedString() + "\n"
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw InputError([Problem(file: file.path, field: "", message: "cannot create the certificate-id key file")])
        }
        return IssuerKey(secret: secret, file: file, created: true)
    }

    /// The key at `file`, made first when it does not exist: for throw-away folders that are
    /// their own world (the benchmark's run folder, a test's), never for a provider's key.
    public static func loadOrCreate(at file: URL) throws(InputError) -> IssuerKey {
        FileManager.default.fileExists(atPath: file.path) ? try load(at: file) : try create(at: file)
    }
}
