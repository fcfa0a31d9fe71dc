import ReconnectPolicy
import Testing

@Suite struct ReconnectLoopTests {
    @Test func clientInMainMenuIsReconnectedAtOnceAndVerified() {
        var h = LoopHarness()
        h.ready()
        #expect(h.reports == [.serverReady(start: 1, trigger: .serverReady)])
        #expect(h.statusTicket != nil)
        h.advance(.milliseconds(1))
        h.answer(.mainMenu)
        #expect(h.postTicket != nil)
        h.posted()
        #expect(h.reports == [.reconnectSent(start: 1, from: .mainMenu, answer: .answered(statusCode: 200))])
        #expect(h.wakeUp?.at == h.now + .milliseconds(250))
        h.fireWakeUp()
        h.answer(.connecting)
        h.fireWakeUp()
        h.answer(.downloadingFiles)
        h.fireWakeUp()
        h.answer(.inGame)
        #expect(h.reports == [.inGame(start: 1, sinceReady: .milliseconds(751))])
        #expect(h.loop.phase == .finished(.inGame(sinceReady: .milliseconds(751))))
        #expect(h.wakeUp == nil && h.statusTicket == nil)
        #expect(h.posts == 1)
    }

    @Test func waitsThroughEveryOtherStateAndNeverPostsThere() {
        for status in ClientStatus.documented.filter({ !$0.acceptsReconnect }) + [.unknown("SPECTATING")] {
            var h = LoopHarness()
            h.ready()
            for _ in 0..<20 {
                h.answer(status)
                #expect(h.postTicket == nil, "POST in \(status)")
                h.fireWakeUp()
            }
            #expect(h.posts == 0)
            #expect(h.loop.phase == .waitingForClient)
        }
    }

    @Test func pollsOnePollIntervalAfterThePreviousRequestWentOut() {
        var h = LoopHarness(ReconnectSettings(pollInterval: .milliseconds(250), verifyTimeout: .seconds(60)))
        h.ready()
        let firstRequest = h.now
        h.advance(.milliseconds(40))  // the request took 40 ms
        h.answer(.loading)
        #expect(h.wakeUp?.at == firstRequest + .milliseconds(250))
        h.fireWakeUp()
        h.advance(.seconds(2))  // a hanging request that timed out: poll again at once
        h.answer(.failure(.responseTimedOut))
        #expect(h.wakeUp?.at == h.now)
    }

    @Test func reconnectsWithinOnePollIntervalOfTheClientReachingMainMenu() {
        var h = LoopHarness()
        h.ready()
        h.answer(.loading)
        // The client reaches MAIN_MENU right after this poll: the next poll is at most one interval away.
        let reachedMenu = h.now
        h.fireWakeUp()
        h.answer(.mainMenu)
        #expect(h.postTicket != nil)
        #expect(h.now - reachedMenu <= .milliseconds(250))
    }

    @Test func unreachableClientIsWaitedForAndReportedOncePerChange() {
        var h = LoopHarness()
        h.ready()
        h.answer(.failure(.connectionRefused))
        #expect(h.reports == [.client(start: 1, .unreachable(.connectionRefused), afterReconnect: false)])
        for _ in 0..<10 {
            h.fireWakeUp()
            h.answer(.failure(.connectionRefused))
            #expect(h.reports.isEmpty)
        }
        h.fireWakeUp()
        h.answer(.failure(.malformedResponse("x")))
        #expect(h.reports == [.client(start: 1, .unreachable(.malformedResponse("x")), afterReconnect: false)])
        h.fireWakeUp()
        h.answer(.mainMenu)
        #expect(h.postTicket != nil)
    }

    @Test func unknownStatusIsReportedOnceAcrossStarts() {
        var h = LoopHarness()
        h.ready()
        h.answer(.unknown("SPECTATING"))
        #expect(h.reports.contains(.unknownStatus("SPECTATING")))
        h.fireWakeUp()
        h.answer(.loading)
        h.fireWakeUp()
        h.answer(.unknown("SPECTATING"))
        #expect(!h.reports.contains(.unknownStatus("SPECTATING")))
        h.ready()
        h.answer(.unknown("SPECTATING"))
        #expect(!h.reports.contains(.unknownStatus("SPECTATING")))
    }

    @Test func newerStartSupersedesAndStaleAnswersAreDropped() {
        var h = LoopHarness()
        h.ready()
        let oldTicket = h.statusTicket!
        h.ready()
        #expect(h.reports == [.superseded(start: 1, by: 2), .serverReady(start: 2, trigger: .serverReady)])
        // The first start's answer arrives late: ignored, no POST.
        #expect(h.loop.statusReceived(.success(.mainMenu), for: oldTicket, at: h.now).isEmpty)
        h.answer(.mainMenu)
        h.posted()
        #expect(h.posts == 1)
        #expect(h.loop.start == 2)
    }

    @Test func neverTwoPostsForOneStart() {
        var h = LoopHarness()
        h.ready()
        h.answer(.mainMenu)
        let post = h.postTicket!
        h.posted()
        // A duplicate answer to the same POST changes nothing.
        #expect(h.loop.reconnectPosted(.success(HTTPResponse(statusCode: 200, body: [])), for: post, at: h.now).isEmpty)
        // Whatever the client does afterwards, no second POST for start 1.
        for status in [ClientStatus.mainMenu, .connecting, .mainMenu, .inGame, .mainMenu] {
            guard h.wakeUp != nil else { break }
            h.fireWakeUp()
            h.answer(status)
        }
        #expect(h.loop.phase == .finished(.inGame(sinceReady: .seconds(1))))
        #expect(h.posts == 1)
    }

    @Test func postThatNeverLeftIsRetriedButOneThatMayHaveArrivedIsNot() {
        var h = LoopHarness()
        h.ready()
        h.answer(.mainMenu)
        h.posted(.failure(.connectionRefused))  // the game closed between GET and POST
        #expect(h.loop.phase == .waitingForClient)
        h.fireWakeUp()
        h.answer(.mainMenu)
        h.posted(.failure(.responseTimedOut))  // sent, no answer: counts as sent
        #expect(h.loop.phase == .verifying)
        #expect(h.reports == [.reconnectSent(start: 1, from: .mainMenu, answer: .noAnswer(.responseTimedOut))])
        #expect(h.posts == 2)  // the refused one never reached the client
    }

    @Test func backInMainMenuAfterTheGraceIsAFailure() {
        var h = LoopHarness()
        h.ready()
        h.answer(.mainMenu)
        h.posted()
        h.fireWakeUp()
        h.answer(.connecting)
        h.fireWakeUp()
        h.answer(.mainMenu)  // wrong password: back to the menu
        #expect(h.loop.phase == .verifying)
        h.answerUntilDecided(.mainMenu)
        #expect(h.loop.phase == .finished(.failed(.backInMainMenu)))
        #expect(h.posts == 1)
    }

    @Test func clientThatIgnoresThePostFailsAfterTheGrace() {
        var h = LoopHarness()
        h.ready()
        h.answer(.mainMenu)
        h.posted()
        let postedAt = h.now
        h.answerUntilDecided(.mainMenu)
        #expect(h.loop.phase == .finished(.failed(.backInMainMenu)))
        #expect(h.now - postedAt >= .seconds(2))
        #expect(h.now - postedAt < .seconds(3))
    }

    @Test func errorAfterThePostIsAFailure() {
        var h = LoopHarness()
        h.ready()
        h.answer(.inGame)
        h.posted()
        h.fireWakeUp()
        h.answer(.error)
        #expect(h.reports == [.client(start: 1, .status(.error), afterReconnect: true), .failed(start: 1, .clientError)])
    }

    @Test func verifyTimeoutEndsTheLoop() {
        var h = LoopHarness(ReconnectSettings(pollInterval: .milliseconds(250), verifyTimeout: .seconds(5)))
        h.ready()
        h.answer(.mainMenu)
        h.posted()
        let postedAt = h.now
        h.answerUntilDecided(.downloadingFiles)
        #expect(h.loop.phase == .finished(.failed(.verifyTimedOut(last: .status(.downloadingFiles)))))
        #expect(h.now - postedAt == .seconds(5))
    }

    @Test func postedFromInGameWaitsForTheClientToReact() {
        var h = LoopHarness()
        h.ready()
        h.answer(.inGame)
        h.posted()
        h.fireWakeUp()
        h.answer(.inGame)  // not reacted yet: not a success
        #expect(h.loop.phase == .verifying)
        h.fireWakeUp()
        h.answer(.disconnecting)
        h.fireWakeUp()
        h.answer(.inGame)
        guard case .finished(.inGame) = h.loop.phase else { Issue.record("\(h.loop.phase)"); return }
    }

    @Test func startedLateLeavesAConnectedClientAlone() {
        var h = LoopHarness()
        h.ready(.alreadyRunning)
        h.answer(.inGame)
        #expect(h.reports.last == .alreadyInGame(start: 1))
        #expect(h.posts == 0)
        var menu = LoopHarness()
        menu.ready(.alreadyRunning)
        menu.answer(.mainMenu)
        #expect(menu.posts == 1)
    }

    @Test func settleDelayComesBeforeTheFirstContact() {
        var h = LoopHarness(ReconnectSettings(pollInterval: .milliseconds(250), verifyTimeout: .seconds(60), settleDelay: .seconds(3)))
        let readyAt = h.now
        h.ready()
        #expect(h.statusTicket == nil)
        #expect(h.wakeUp?.at == readyAt + .seconds(3))
        h.fireWakeUp()
        #expect(h.statusTicket != nil)
    }

    @Test func oneShotGivesUp() {
        var h = LoopHarness(ReconnectSettings(pollInterval: .milliseconds(250), verifyTimeout: .seconds(60), giveUpAfter: .seconds(1)))
        h.ready(.manual)
        while h.loop.phase == .waitingForClient {
            h.answer(.failure(.connectionRefused))
            if h.loop.phase == .waitingForClient { h.fireWakeUp() }
        }
        #expect(h.loop.phase == .finished(.gaveUp))
        #expect(h.posts == 0)
        var once = LoopHarness(ReconnectSettings(pollInterval: .milliseconds(250), verifyTimeout: .seconds(60), giveUpAfter: .zero))
        once.ready(.manual)
        once.answer(.loading)
        #expect(once.loop.phase == .finished(.gaveUp))
    }

    @Test func serverStoppingCancelsThePendingLoop() {
        var h = LoopHarness()
        h.ready()
        h.answer(.loading)
        h.take(h.loop.serverStopped(at: h.now))
        #expect(h.reports == [.serverStopped(start: 1)])
        #expect(h.effects.contains(.cancelWakeUp))
        #expect(h.loop.serverStopped(at: h.now).isEmpty)
    }

    @Test func finishedLoopLeavesNoTimer() {
        var h = LoopHarness()
        h.ready()
        h.answer(.mainMenu)
        h.posted()
        h.fireWakeUp()
        h.answer(.error)
        #expect(h.wakeUp == nil)
        #expect(h.statusTicket == nil)
    }
}

@Suite struct BackoffTests {
    @Test func doublesUpToTheMaximum() {
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(1))
        let delays = (0..<8).map { _ in backoff.nextDelay() }
        #expect(delays == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)])
        #expect(backoff.attempts == 8)
    }
}
