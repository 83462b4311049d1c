// Package taxonomy holds the codes shared by quiz items, media, help guides
// and (later) the message checker: topics and red flags, exactly as
// shared/CONTENT.md defines them. Their names live in the i18n catalogues
// as topic.<code> and flag.<code>.
package taxonomy

import "slices"

// Topics are the subjects of the campaign.
var Topics = []string{
	"phishing", "account-security", "impersonation", "shopping-prizes", "job-scams",
	"investment", "romance", "grooming", "online-kidnapping", "sextortion",
	"cyberbullying", "privacy", "ai-deepfakes", "misinformation", "getting-help",
}

// Audiences are the audience bands of the content guide: kids 8–12,
// teens 13–17, adults (parents, teachers). Quizzes, library items, pledges
// and help requests all use them.
var Audiences = []string{"kids", "teens", "adults"}

// RedFlags are the warning signs.
var RedFlags = []string{
	"urgency", "too-good", "asks-money", "asks-credentials", "impersonation",
	"suspicious-link", "unexpected-contact", "app-install", "off-platform", "threat",
	"flattery-gifts", "secrecy", "move-private", "asks-images", "personal-info",
	"meet-offline", "isolation", "sextortion-threat", "insult-harassment", "exclusion",
	"doxxing", "manipulated-media",
}

// IsTopic reports whether code is a known topic.
func IsTopic(code string) bool { return slices.Contains(Topics, code) }

// IsRedFlag reports whether code is a known red flag.
func IsRedFlag(code string) bool { return slices.Contains(RedFlags, code) }
