. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; c . -m "feat: x"; git push -q origin main --tags; git checkout -q --detach
echo "GitLab MR:";  CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=feature/x CI_COMMIT_REF_NAME=feature/x pk release next
echo "GitLab tag:"; CI_COMMIT_TAG=v1.0.0 CI_COMMIT_REF_NAME=v1.0.0 pk release next
echo "Jenkins PR:"; BRANCH_NAME=PR-12 CHANGE_ID=12 pk release next
echo "Jenkins tag:"; BRANCH_NAME=v1.0.0 TAG_NAME=v1.0.0 pk release next
echo "Jenkins GIT_BRANCH:"; GIT_BRANCH=origin/main pk release next
