# capdo lab host @NAME@ (profile @PROFILE@): idle shells end after 15 minutes.
TMOUT=900
readonly TMOUT
export TMOUT
