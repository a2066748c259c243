import Foundation

/// One trade of the gateway's small life cycle: created (or precreated), paid, closed, refunded.
struct Trade: Sendable {
    enum Status: String, Sendable {
        case waitBuyerPay = "WAIT_BUYER_PAY"
        case success = "TRADE_SUCCESS"
        case closed = "TRADE_CLOSED"
    }

    let appID: String
    let outTradeNo: String
    let tradeNo: String
    let totalAmount: String
    let subject: String
    var status: Status
    /// Where to send notifications, and in which charset.
    let notifyURL: String?
    let charset: String
    let created: Date
    var paid: Date?
    var refunded: Decimal = 0
    let buyerID = "2088102177846880"
    let buyerLogonID = "tes***@sandbox.com"
}

/// The gateway's trades, in memory: a test gateway starts clean.
actor TradeStore {
    private var byOutTradeNo: [String: Trade] = [:]
    private var byTradeNo: [String: String] = [:]
    private var sequence = 0

    enum Failure: Error {
        case notFound, statusInvalid(Trade.Status), amountTooLarge
    }

    /// A new image id for an upload.
    func nextImageID() -> String {
        sequence += 1
        return String(format: "A*sandbox%08d", sequence)
    }

    /// Creates a trade, or returns the existing one with that `out_trade_no` and app.
    func create(appID: String, outTradeNo: String, totalAmount: String, subject: String, notifyURL: String?, charset: String)
        -> Trade
    {
        let key = appID + "|" + outTradeNo
        if let existing = byOutTradeNo[key] { return existing }
        sequence += 1
        let tradeNo = "2026" + String(format: "%024d", sequence)
        let trade = Trade(
            appID: appID, outTradeNo: outTradeNo, tradeNo: tradeNo, totalAmount: totalAmount, subject: subject,
            status: .waitBuyerPay, notifyURL: notifyURL, charset: charset, created: Date())
        byOutTradeNo[key] = trade
        byTradeNo[tradeNo] = key
        return trade
    }

    func find(appID: String, outTradeNo: String?, tradeNo: String?) -> Trade? {
        if let outTradeNo, let trade = byOutTradeNo[appID + "|" + outTradeNo] { return trade }
        if let tradeNo, let key = byTradeNo[tradeNo], let trade = byOutTradeNo[key], trade.appID == appID { return trade }
        return nil
    }

    /// The trades whose `out_trade_no` is this, whatever the app (the sandbox's pay button names only that).
    func find(outTradeNo: String) -> Trade? { byOutTradeNo.values.first { $0.outTradeNo == outTradeNo } }

    func pay(_ trade: Trade) throws -> Trade {
        let key = trade.appID + "|" + trade.outTradeNo
        guard var current = byOutTradeNo[key] else { throw Failure.notFound }
        guard current.status == .waitBuyerPay else { throw Failure.statusInvalid(current.status) }
        current.status = .success
        current.paid = Date()
        byOutTradeNo[key] = current
        return current
    }

    func close(_ trade: Trade) throws -> Trade {
        let key = trade.appID + "|" + trade.outTradeNo
        guard var current = byOutTradeNo[key] else { throw Failure.notFound }
        guard current.status == .waitBuyerPay else { throw Failure.statusInvalid(current.status) }
        current.status = .closed
        byOutTradeNo[key] = current
        return current
    }

    func refund(_ trade: Trade, amount: Decimal) throws -> Trade {
        let key = trade.appID + "|" + trade.outTradeNo
        guard var current = byOutTradeNo[key] else { throw Failure.notFound }
        guard current.status == .success else { throw Failure.statusInvalid(current.status) }
        let total = Decimal(string: current.totalAmount) ?? 0
        guard amount > 0, current.refunded + amount <= total else { throw Failure.amountTooLarge }
        current.refunded += amount
        if current.refunded == total { current.status = .closed }
        byOutTradeNo[key] = current
        return current
    }
}
