import Foundation

/// The accepted rows, kept on disk for the merged PDF's pass so that memory holds only a
/// small sort key per row, whatever the roster's size.
struct RowSpool {
    private let url: URL
    private let handle: FileHandle
    private var offset: UInt64 = 0
    private(set) var index: [(key: String, offset: UInt64, length: Int)] = []

    init(folder: URL) throws {
        url = folder.appendingPathComponent(".spool")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw InputError([Problem(file: url.path, field: "", message: "cannot create the batch's row spool",
                                      hint: "check that the output folder is writable and has space")])
        }
        handle = try FileHandle(forUpdating: url)
    }

    mutating func add(_ row: RosterRow, learner: Learner, id: String, order: BatchOptions.Order) {
        guard let data = try? JSONSerialization.data(withJSONObject: [row.number, row.fields] as [Any]) else { return }
        handle.write(data)
        let key: String
        switch order {
        case .roster: key = RowSpool.padded(row.number)
        case .certificateID: key = id
        case .lastName:
            let name = "\(learner.lastName)\u{1}\(learner.firstName)"
            key = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
                + "\u{1}" + RowSpool.padded(row.number)
        }
        index.append((key, offset, data.count))
        offset += UInt64(data.count)
    }

    /// `42` → `000000000042`, so that rows sort in number order as text.
    static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// The rows in the chosen order.
    func rows() -> AnySequence<RosterRow> {
        let sorted = index.sorted { $0.key < $1.key }
        let handle = self.handle
        return AnySequence(sorted.lazy.compactMap { entry -> RosterRow? in
            try? handle.seek(toOffset: entry.offset)
            guard let data = try? handle.read(upToCount: entry.length),
                  let array = try? JSONSerialization.jsonObject(with: data) as? [Any],
                  let number = array.first as? Int, let fields = array.last as? [String] else { return nil }
            return RosterRow(number: number, fields: fields)
        })
    }

    func remove() {
        try? handle.close()
        unlink(url.path)
    }
}
