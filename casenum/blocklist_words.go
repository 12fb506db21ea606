package casenum

// defaultBlockWords is the built-in blocklist: common English offensive
// words that {alnum} could otherwise spell, one per word stem. Words with a
// U need no entry, since {alnum} never renders U; FVCK and CVNT stand in
// for two of them, as people read V for U.
const defaultBlockWords = `
ARSE ASS BASTARD BITCH BOLLOCKS BOOB COCK CRAP CVNT DAMN DICK DYKE FAG FVCK
JIZZ KIKE NAZI NIGGA NIGGER PENIS PISS PORN PRICK RAPE RETARD SEX SHIT SLAG
SPIC TIT TWAT VAGINA WANK WHORE
`
