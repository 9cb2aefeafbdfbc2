extension ProbeV1 {
    /// Results of probe-v1 on the first N train and test images (`siamon train --sweep … --probe-limit N`, the
    /// smoke sweep in `make test`) are stored under this name, so they are never mistaken for probe-v1 proper.
    public static let subsetProtocolName = "probe-v1-subset"

    /// The protocol a probe with this image limit records.
    public static func protocolName(limit: Int?) -> String { limit == nil ? protocolName : subsetProtocolName }
}
