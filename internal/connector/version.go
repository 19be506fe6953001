package connector

// Version is the onboard version vendor clients send in their User-Agent
// header. The command sets it from its build-time version before building
// any client; it defaults to "dev".
var Version = "dev"

// UserAgent is the User-Agent header every vendor request carries:
// "onboard/<version>".
func UserAgent() string { return "onboard/" + Version }
