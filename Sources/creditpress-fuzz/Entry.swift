import Foundation

#if FUZZING
/// libFuzzer's entry points (`swift build -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING`, see
/// scripts/fuzz.sh): the target is named by `CREDITPRESS_FUZZ_TARGET`.
nonisolated(unsafe) private var target = FuzzTarget.pdf

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["CREDITPRESS_FUZZ_TARGET"] ?? "pdf"
    guard let chosen = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("unknown fuzz target '\(name)'; one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(64)
    }
    target = chosen
    _ = FuzzTarget.signers
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// libFuzzer's driver, which its own `main` would call.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// The package manager makes an executable's `main` this symbol; it hands over to libFuzzer.
@_cdecl("creditpress_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    _ = fuzzInitialize(&count, &arguments)
    return runFuzzerDriver(&count, &arguments) { bytes, length in fuzzOne(bytes, length) }
}
#else
/// Without libFuzzer: replays files through a target, `creditpress-fuzz TARGET FILE…`, so
/// that a crashing input found by fuzzing can be run under the debugger in a plain build.
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: creditpress-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE…")
            exit(64)
        }
        for file in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else { print("cannot read \(file)"); exit(66) }
            target.run(data)
            print("\(file): ok")
        }
    }
}
#endif
