from pipelinekit.cli import main

main()
