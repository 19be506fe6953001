// Package dispatch sends planned jobs to the vendors' clients.
//
// Each vendor has one lane: a single token-bucket limiter shared by all of
// that vendor's workers and targets (Lookups wait on it too), a cap on
// requests in flight (Lane.Concurrency), and a lane-wide pause:
// an answer with Retry-After holds every worker of that vendor until it
// passes, after which the lane resumes at its configured rate without a
// saved-up burst. Lanes run independently, so a slow, throttled or
// refusing vendor never holds up another.
//
// Turns: each request takes a place in flight and a rate token from its
// lane's gate. A job that already made a request (a retry whose backoff
// ended, a lookup after a lost answer) is served before any job's first
// request, and first requests go in plan order. A job waiting out a
// backoff or a 503's Retry-After holds no place, so other ready jobs keep
// the lane at its rate meanwhile.
//
// How answers become results:
//
//   - Created → Created. Exists on the first send → Exists. Invalid →
//     Invalid with the vendor's words.
//   - Retryable (429, 5xx, timeouts before sending) → retried with
//     exponential backoff and full jitter (Backoff), or the vendor's
//     Retry-After when longer, up to Lane.MaxAttempts sends; then Failed
//     "gave up after 5 attempts: 503 service unavailable".
//   - Uncertain (the answer was lost) → never blindly re-sent: the record
//     is looked up. Found → Created "confirmed by lookup after a lost
//     answer"; not found → sent again (another attempt); the lookup failing
//     → the lookup is retried with backoff. A vendor without a lookup
//     answers connector.Unsupported: the record is sent again and the
//     vendor's duplicate answer (Exists) confirms it → Created.
//   - Auth → that job Failed, and the vendor's lane stops: requests in
//     flight finish, every other job for it ends NotSent "not sent:
//     authentication failed: …"; other vendors carry on.
//   - Job.Reconcile (an earlier run sent without recording an outcome) →
//     looked up first, exactly as after an Uncertain answer.
//   - Job.After: a job waits for its dependencies (a NetSapiens site
//     before its users) and is NotSent "not sent: site 'example.com/hq' was
//     not created (…)" when one of them did not succeed.
//
// Result.Uncertain marks every result whose record may exist although its
// status does not say so; the next run must reconcile those jobs.
//
// Durability: Recorder.Begin returns before each Create goes out and
// Recorder.Finish records a job's final result before onResult sees it;
// a Recorder error stops the run, so nothing is sent unrecorded.
//
// Cancellation: when Run's context is cancelled no new request is made,
// requests in flight get Dispatcher.Grace (real time) to finish before
// their contexts are cancelled, and every job not sent ends NotSent "not
// sent: interrupted". Run returns after every job's result is delivered.
package dispatch
