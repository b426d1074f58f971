. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; c . -m "feat: x"; git push -q origin main --tags
# CI container: no user.name/email anywhere
env -u GIT_AUTHOR_NAME -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL HOME=$W/nohome GIT_CONFIG_NOSYSTEM=1 EMAIL= \
  python -m pipelinekit release; echo "exit $?"
